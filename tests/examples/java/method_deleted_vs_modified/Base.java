package com.example.users;

import java.util.HashMap;
import java.util.Map;

public class UserCache {
    private final Map<String, User> byId = new HashMap<>();

    public void put(User user) {
        byId.put(user.id(), user);
    }

    public User get(String id) {
        return byId.get(id);
    }

    public User getOrDefault(String id, User fallback) {
        User user = byId.get(id);
        return user == null ? fallback : user;
    }

    public int size() {
        return byId.size();
    }
}
