package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;

/**
 * Converts event times from ticks to nanoseconds since the epoch, as {@code
 * jdk.jfr.consumer.RecordingFile} does: from one chunk header's pair of start times (wall clock
 * and ticks) and its tick frequency, with the same floating-point arithmetic, so that both
 * readers give the same nanosecond for the same event.
 *
 * <p>One pair serves the whole file, the first chunk's, as the JDK's reader does: each header
 * samples the two clocks at slightly different instants, and converting every chunk with its own
 * pair would move events by a fraction of a microsecond from chunk to chunk.
 */
final class TimeBase {
  /** Longs below this magnitude are exact as doubles. */
  private static final long EXACT_IN_DOUBLE = 1L << 53;

  private final long startTicks;
  private final long startNanos;
  private final double ticksPerNanosecond;
  private final boolean ticksAreNanoseconds;

  private TimeBase(long startTicks, long startNanos, double ticksPerNanosecond) {
    this.startTicks = startTicks;
    this.startNanos = startNanos;
    this.ticksPerNanosecond = ticksPerNanosecond;
    this.ticksAreNanoseconds = ticksPerNanosecond == 1.0;
  }

  static TimeBase of(ChunkHeader header) throws JfrFormatException {
    if (header.ticksPerSecond() <= 0) {
      throw new JfrFormatException("the chunk header has a tick frequency of " + header.ticksPerSecond() + " per second");
    }
    return new TimeBase(header.startTicks(), header.startNanos(), header.ticksPerSecond() / 1e9);
  }

  /** A time stamp in ticks, as nanoseconds since the epoch. */
  long nanos(long ticks) {
    long sinceStart = ticks - startTicks;
    if (ticksAreNanoseconds && sinceStart > -EXACT_IN_DOUBLE && sinceStart < EXACT_IN_DOUBLE) {
      return startNanos + sinceStart; // what dividing by 1.0 gives, without dividing
    }
    return startNanos + (long) (sinceStart / ticksPerNanosecond);
  }
}
