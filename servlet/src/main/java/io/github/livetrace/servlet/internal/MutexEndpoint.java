package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import io.github.livetrace.internal.pprof.ProfileKind;
import java.util.function.Consumer;

/**
 * {@code mutex?seconds=N}: lock contention. async-profiler's lock profiler where it loads (a sample
 * per 10 us of waiting, short waits included); else JFR's {@code jdk.JavaMonitorEnter} and the
 * {@code jdk.ThreadPark} events of threads acquiring a {@code java.util.concurrent.locks} lock,
 * over 1 ms. Unlike Go's, whose stacks are those of the goroutines that held the lock, the stacks
 * are the waiters': both engines record who waited.
 */
public final class MutexEndpoint extends RecordedProfileEndpoint {
  public MutexEndpoint(double maxSeconds, AsyncProfilerEngine.Choice choice, Consumer<String> log) {
    super(ProfileKind.MUTEX.path(), ProfileKind.MUTEX, AsyncProfilerEngine.Mode.LOCK, choice, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Lock contention: stacks of threads that waited to enter a synchronized block or acquire a"
        + " java.util.concurrent lock, with the delay. Engine: "
        + AsyncProfilerEngine.describe(choice(), AsyncProfilerEngine.Mode.LOCK)
        + "; async-profiler samples every 10us of waiting, JFR records waits over "
        + ProfileKind.BLOCK_THRESHOLD.replace(" ", "")
        + " (jdk.JavaMonitorEnter, jdk.ThreadPark)."
        + parametersLine();
  }
}
