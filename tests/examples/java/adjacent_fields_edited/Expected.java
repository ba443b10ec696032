package com.example.http;

public class ClientConfig {
    private String baseUrl = "https://api.example.com";
    private int connectTimeoutMillis = 1500;
    private int readTimeoutMillis = 10000;
    private int maxRetries = 3;

    public String getBaseUrl() {
        return baseUrl;
    }

    public int getConnectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public int getReadTimeoutMillis() {
        return readTimeoutMillis;
    }

    public int getMaxRetries() {
        return maxRetries;
    }
}
