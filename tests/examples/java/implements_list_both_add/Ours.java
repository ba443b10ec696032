package com.example.model;

import java.io.Serializable;

public class Money implements Serializable, Comparable<Money> {
    private final long cents;

    public Money(long cents) {
        this.cents = cents;
    }

    public long cents() {
        return cents;
    }
}
