package org.demo;

import java.util.ArrayList;
import java.util.List;

public class Names {
    List<String> all() {
        return new ArrayList<>();
    }
}
