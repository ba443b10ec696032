package com.example.report;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.Test;

public class ReportTest {
    @Nullable
    private String title;

    @Test
    public void empty() {
        Map<String, List<String>> rows = Map.of();
        assert rows.isEmpty();
    }
}
