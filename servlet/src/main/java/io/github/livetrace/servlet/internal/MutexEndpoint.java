package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileKind;
import java.util.function.Consumer;

/**
 * {@code mutex?seconds=N}: lock contention, from {@code jdk.JavaMonitorEnter} and the {@code
 * jdk.ThreadPark} events of threads acquiring a {@code java.util.concurrent.locks} lock. Unlike
 * Go's, whose stacks are those of the goroutines that held the lock, the stacks are the waiters':
 * JFR records who waited, and only the previous owner's thread.
 */
public final class MutexEndpoint extends RecordedProfileEndpoint {
  public MutexEndpoint(double maxSeconds, Consumer<String> log) {
    super(ProfileKind.MUTEX, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Lock contention: stacks of threads that waited over "
        + ProfileKind.BLOCK_THRESHOLD.replace(" ", "")
        + " to enter a synchronized block (jdk.JavaMonitorEnter) or acquire a java.util.concurrent lock"
        + " (jdk.ThreadPark), with the delay."
        + parametersLine();
  }
}
