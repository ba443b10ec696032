package com.example.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

public class ProductRepository {
    private final Map<String, Product> products;

    public ProductRepository(Map<String, Product> products) {
        this.products = products;
    }

    public Optional<Product> find(String sku) {
        return Optional.ofNullable(products.get(sku));
    }

    public List<Product> all() {
        return List.copyOf(products.values());
    }
}
