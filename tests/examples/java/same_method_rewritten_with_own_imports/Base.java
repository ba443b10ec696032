package com.example.store;

import java.util.List;
import java.util.Map;

public class ProductRepository {
    private final Map<String, Product> products;

    public ProductRepository(Map<String, Product> products) {
        this.products = products;
    }

    public Product find(String sku) {
        return products.get(sku);
    }

    public List<Product> all() {
        return List.copyOf(products.values());
    }
}
