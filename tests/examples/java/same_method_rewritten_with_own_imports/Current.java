package com.example.store;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

public class ProductRepository {
    private final Map<String, Product> products;

    public ProductRepository(Map<String, Product> products) {
        this.products = products;
    }

<<<<<<< ours
    public Optional<Product> find(String sku) {
        return Optional.ofNullable(products.get(sku));
||||||| base
    public Product find(String sku) {
        return products.get(sku);
=======
    public Product find(String sku) {
        Product product = products.get(sku);
        if (product == null) {
            throw new NoSuchElementException("no product " + sku);
        }
        return product;
>>>>>>> theirs
    }

    public List<Product> all() {
        return List.copyOf(products.values());
    }
}
