package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileKind;
import java.util.function.Consumer;

/**
 * {@code block?seconds=N}: where threads block, as Go's block profile: parked, entering or
 * waiting on a monitor, sleeping, in socket and file I/O, from JFR's events of each.
 */
public final class BlockEndpoint extends RecordedProfileEndpoint {
  public BlockEndpoint(double maxSeconds, Consumer<String> log) {
    super(ProfileKind.BLOCK, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Blocking: stacks of threads blocked over "
        + ProfileKind.BLOCK_THRESHOLD.replace(" ", "")
        + " (parked, entering or waiting on a monitor, sleeping, in socket or file I/O), with the delay."
        + parametersLine();
  }
}
