package com.example.accounts;

public enum AccountStatus {
    PENDING,
    ACTIVE,
    SUSPENDED;

    public boolean canLogIn() {
        return this == ACTIVE;
    }
}
