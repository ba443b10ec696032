package com.example.billing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

public class Invoice {
    private static final Logger LOG = Logger.getLogger(Invoice.class.getName());
    private final String customer;
    private final List<BigDecimal> lines = new ArrayList<>();

    public Invoice(String customer) {
        this.customer = Objects.requireNonNull(customer);
    }

    public void addLine(BigDecimal amount) {
        lines.add(amount);
    }

    public BigDecimal total() {
        return lines.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
