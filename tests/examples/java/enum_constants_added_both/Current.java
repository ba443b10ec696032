package com.example.accounts;

public enum AccountStatus {
    PENDING,
    ACTIVE,
<<<<<<< ours
    SUSPENDED,
    CLOSED;
||||||| base
    SUSPENDED;
=======
    SUSPENDED,
    LOCKED;
>>>>>>> theirs

    public boolean canLogIn() {
        return this == ACTIVE;
    }
}
