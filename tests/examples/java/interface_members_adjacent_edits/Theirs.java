package com.example.jobs;

import java.time.Duration;

public interface Scheduler {
    void start();
    @Deprecated
    void stop();
    boolean isRunning();
    void schedule(Runnable task, Duration delay);
}
