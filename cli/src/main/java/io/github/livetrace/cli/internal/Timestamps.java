package io.github.livetrace.cli.internal;

import java.time.Instant;

/** Event times as nanoseconds since the epoch: one long to compare, subtract and store. */
public final class Timestamps {
  private Timestamps() {}

  public static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  public static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
