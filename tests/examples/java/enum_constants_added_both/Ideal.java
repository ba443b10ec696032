package com.example.accounts;

public enum AccountStatus {
    PENDING,
    ACTIVE,
    SUSPENDED,
    CLOSED,
    LOCKED;

    public boolean canLogIn() {
        return this == ACTIVE;
    }
}
