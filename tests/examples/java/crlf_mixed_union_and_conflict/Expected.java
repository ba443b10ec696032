package com.example.billing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
<<<<<<< ours
import java.util.Objects;
||||||| base
=======
import java.math.RoundingMode;
>>>>>>> theirs

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
<<<<<<< ours
        return lines.stream().filter(Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add);
||||||| base
        return lines.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
=======
        return lines.stream().reduce(BigDecimal.ZERO, BigDecimal::add).setScale(2, RoundingMode.HALF_UP);
>>>>>>> theirs
    }
}
