package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;
import java.util.List;

/**
 * Converts event times from ticks to nanoseconds since the epoch, as {@code
 * jdk.jfr.consumer.RecordingFile} does: from a chunk header's pair of start times (wall clock
 * and ticks) and its tick frequency, with the same floating-point arithmetic, so that both
 * readers give the same nanosecond for the same event of a file of one JVM.
 *
 * <p>Chunks written by one JVM share one pair, the earliest chunk's, as the JDK's reader does for
 * a whole file: each header samples the two clocks at slightly different instants, and converting
 * every chunk with its own pair would move events by a fraction of a microsecond from chunk to
 * chunk, enough to break the nesting of a region that spans two chunks. But a file can hold
 * chunks of several JVMs (traces of several pods concatenated), whose tick counters have nothing
 * in common: a chunk whose own pair disagrees with the pair in use gets its own ({@link
 * #forChunks}).
 */
final class TimeBase {
  /**
   * How far a chunk's own clock pair may disagree with the pair in use and still be the same
   * clock: more than a busy machine can delay a header's second clock read, far less than the
   * tick counters of two hosts differ by.
   */
  static final long SAME_CLOCK_NANOS = 10_000_000L;

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

  /**
   * The time base of each chunk, by index: in time order, a chunk keeps the base of the chunk
   * before when that base converts the chunk's start ticks to its start time, else it starts a
   * base of its own.
   */
  static TimeBase[] forChunks(List<ChunkHeader> chunks) throws JfrFormatException {
    TimeBase[] bases = new TimeBase[chunks.size()];
    TimeBase current = null;
    for (int i : JfrDecoder.timeOrder(chunks)) {
      ChunkHeader header = chunks.get(i);
      if (current == null || !current.agreesWith(header)) {
        current = of(header);
      }
      bases[i] = current;
    }
    return bases;
  }

  private boolean agreesWith(ChunkHeader header) {
    return header.ticksPerSecond() / 1e9 == ticksPerNanosecond
        && Math.abs(nanos(header.startTicks()) - header.startNanos()) <= SAME_CLOCK_NANOS;
  }

  /** A span of ticks in nanoseconds. */
  long spanNanos(long ticks) {
    return ticksAreNanoseconds ? ticks : (long) (ticks / ticksPerNanosecond);
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
