package org.demo;

import java.util.List;

public class Names {
    List<String> all() {
        return List.of();
    }
}
