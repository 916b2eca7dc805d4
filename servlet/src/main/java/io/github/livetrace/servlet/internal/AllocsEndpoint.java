package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileKind;
import java.util.function.Consumer;

/** {@code allocs?seconds=N}: what allocates, from {@code jdk.ObjectAllocationSample}. */
public final class AllocsEndpoint extends RecordedProfileEndpoint {
  public AllocsEndpoint(double maxSeconds, Consumer<String> log) {
    super(ProfileKind.ALLOCS, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Allocations sampled by JFR (jdk.ObjectAllocationSample, at most "
        + ProfileKind.ALLOCATION_THROTTLE
        + "): bytes allocated and samples, by stack, with the allocated class."
        + parametersLine();
  }
}
