package com.example.billing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

public class Invoice {
    private final String customer;
    private final List<BigDecimal> lines = new ArrayList<>();

    public Invoice(String customer) {
        this.customer = customer;
    }

    public void addLine(BigDecimal amount) {
        lines.add(amount);
    }

    public BigDecimal total() {
        return lines.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public String getCustomer() {
        return customer;
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }
}
