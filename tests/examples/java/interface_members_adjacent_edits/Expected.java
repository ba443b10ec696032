package com.example.jobs;

import java.time.Duration;

public interface Scheduler {
    void start(int workerThreads);
    @Deprecated
    void stop();
    boolean isRunning();
    void schedule(Runnable task, Duration delay);
}
