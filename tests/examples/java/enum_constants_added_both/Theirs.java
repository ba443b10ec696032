package com.example.accounts;

public enum AccountStatus {
    PENDING,
    ACTIVE,
    SUSPENDED,
    LOCKED;

    public boolean canLogIn() {
        return this == ACTIVE;
    }
}
