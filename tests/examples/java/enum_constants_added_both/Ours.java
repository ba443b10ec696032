package com.example.accounts;

public enum AccountStatus {
    PENDING,
    ACTIVE,
    SUSPENDED,
    CLOSED;

    public boolean canLogIn() {
        return this == ACTIVE;
    }
}
