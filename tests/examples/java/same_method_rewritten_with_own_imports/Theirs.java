package com.example.store;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

public class ProductRepository {
    private final Map<String, Product> products;

    public ProductRepository(Map<String, Product> products) {
        this.products = products;
    }

    public Product find(String sku) {
        Product product = products.get(sku);
        if (product == null) {
            throw new NoSuchElementException("no product " + sku);
        }
        return product;
    }

    public List<Product> all() {
        return List.copyOf(products.values());
    }
}
