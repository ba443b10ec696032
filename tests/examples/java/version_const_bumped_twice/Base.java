package org.demo;

public final class Build {
    public static final String VERSION = "2.1.0";

    private Build() {}
}
