package io.github.livetrace.cli.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.livetrace.internal.ChunkHeader;
import org.junit.jupiter.api.Test;

class TimeBaseTest {
  private static ChunkHeader header(long startNanos, long startTicks, long ticksPerSecond) {
    return new ChunkHeader(2, 1, 1000, 100, 200, startNanos, 5_000_000_000L, startTicks, ticksPerSecond, 0, 1);
  }

  /** The arithmetic of {@code RecordingFile}: ticks since the chunk start over ticks per ns. */
  private static long jdk(long startNanos, long startTicks, long ticksPerSecond, long ticks) {
    double ticksPerNanosecond = ticksPerSecond / 1_000_000_000.0;
    return startNanos + (long) ((ticks - startTicks) / ticksPerNanosecond);
  }

  @Test
  void convertsAsTheJdkDoesWithNanosecondTicksAndOthers() throws Exception {
    long startNanos = 1_795_701_465_163_758_449L;
    long startTicks = 2_939_245_792L;
    for (long ticksPerSecond : new long[] {1_000_000_000L, 2_893_567_000L, 1_000_000L, 3L}) {
      TimeBase time = TimeBase.of(header(startNanos, startTicks, ticksPerSecond));
      for (long ticks : new long[] {startTicks, startTicks + 1, startTicks + 123_456_789_012L, startTicks - 5_000,
          0, Long.MAX_VALUE / 2, startTicks + (1L << 53), startTicks - (1L << 53) - 7}) {
        assertEquals(jdk(startNanos, startTicks, ticksPerSecond, ticks), time.nanos(ticks),
            ticksPerSecond + " ticks/s, ticks " + ticks);
      }
    }
  }
}
