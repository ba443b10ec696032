package com.example.model;

import java.io.Serializable;

<<<<<<< ours
public class Money implements Serializable, Comparable<Money> {
||||||| base
public class Money implements Serializable {
=======
public class Money implements Serializable, Cloneable {
>>>>>>> theirs
    private final long cents;

    public Money(long cents) {
        this.cents = cents;
    }

    public long cents() {
        return cents;
    }
}
