/*
 * Copyright 2024 The Demo Authors.
 * Licensed under the Apache License, Version 2.0.
 */
package org.demo;

import java.util.List;

public class Names {
    List<String> all() {
        return List.of();
    }
}
