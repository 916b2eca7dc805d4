package io.github.livetrace.internal.pprof;

import java.io.IOException;
import java.time.Instant;

/**
 * A profile that records for a while, whichever engine records it: a JFR recording ({@link
 * ProfileRecording}) or an async-profiler session ({@link AsyncProfilerEngine}). Whoever starts one
 * waits until {@link #plannedEnd}, then reads {@link #profile}, and closes it on every path.
 */
public interface RecordedProfile extends AutoCloseable {
  /** When the profile has recorded its duration. */
  Instant plannedEnd();

  /** Stops recording; does nothing the second time. */
  void stop();

  /**
   * The profile, stopping first if still recording.
   *
   * @throws IOException when the engine's output cannot be read
   */
  StackProfile profile() throws IOException;

  /** Stops and releases everything the profile holds. Never throws. */
  @Override
  void close();
}
