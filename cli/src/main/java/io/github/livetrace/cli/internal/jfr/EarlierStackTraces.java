package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the stack trace of an event whose chunk lacks it, in the chunk in which the event began.
 *
 * <p>HotSpot on JDK 17 records the stack of a contended {@code synchronized} when the wait begins
 * ({@code JfrConditionalFlushWithStacktrace} in {@code ObjectMonitor::enter}) and writes the
 * {@code jdk.JavaMonitorEnter} event when the monitor is acquired. If the chunk rotates in
 * between, the stack went out with the chunk before, and the event names a key its own chunk's
 * pool does not hold: {@code RecordingFile}, {@code jfr print} and JDK Mission Control show no
 * stack. A plain JFR recording with one {@code takeSnapshot()} during the wait does it too; JDK 25
 * keeps the stack. livetrace's traces rotate every second, so on JDK 17 nearly every wait of a
 * second or more would lose its stack, and those are the waits a mutex profile is read for.
 *
 * <p>The stack is not lost, though: the JVM numbers stack traces with one counter that never
 * restarts ({@code ++_next_id} in {@code JfrStackTraceRepository}), so the chunk in which the
 * event began holds it under the same key. Only chunks of the same recording are searched, in time
 * order whatever their order in the file: each earlier chunk must end where the next begins, by
 * the same clock, or the search stops.
 *
 * <p>One per decoding thread. It reads with a {@link ChunkDecoder} and a window of its own, made
 * when first needed, and keeps the pools of the last {@link #CACHED_CHUNKS} chunks it read: the
 * events that need them come in bunches (the waits of one contended lock), from the last few
 * chunks.
 */
final class EarlierStackTraces {
  /** Chunks of one recording follow each other within the time a rotation takes; more is a gap. */
  private static final long MAX_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int CACHED_CHUNKS = 4;

  private final FileChannel channel;
  private final long fileSize;
  private final List<ChunkHeader> chunks;
  private final long[] chunkStarts;
  private final int[] timeOrder; // chunk indexes by start time
  private final int[] timeRank; // by chunk index, its place in timeOrder
  private ChunkDecoder reader;
  private int current = -1; // the chunk whose events are being decoded
  private boolean cachedResolvable;
  /** By chunk index, the least recently used first; a null value: the chunk could not be read. */
  private final Map<Integer, ConstantPools> cached = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, ConstantPools> eldest) {
      return size() > CACHED_CHUNKS;
    }
  };

  EarlierStackTraces(FileChannel channel, long fileSize, List<ChunkHeader> chunks, long[] chunkStarts) {
    this.channel = channel;
    this.fileSize = fileSize;
    this.chunks = chunks;
    this.chunkStarts = chunkStarts;
    this.timeOrder = JfrDecoder.timeOrder(chunks);
    this.timeRank = new int[timeOrder.length];
    for (int t = 0; t < timeOrder.length; t++) {
      timeRank[timeOrder[t]] = t;
    }
  }

  /** The events decoded next are of this chunk (its index in the file). */
  void decoding(int chunk) {
    current = chunk;
  }

  /**
   * The pools of an earlier chunk of the same recording in which {@code startTicks} lies, if they
   * hold the stack trace {@code key}; else null.
   *
   * @throws UncheckedIOException when the file cannot be read
   */
  ConstantPools holding(long key, long startTicks, boolean resolvable) {
    int chunk = chunkAt(startTicks);
    if (chunk < 0) {
      return null;
    }
    ConstantPools pools = pools(chunk, resolvable);
    return pools != null && pools.hasStackTrace(key) ? pools : null;
  }

  private int chunkAt(long startTicks) {
    if (current < 0) {
      return -1;
    }
    ChunkHeader later = chunks.get(current);
    for (int t = timeRank[current] - 1; t >= 0; t--) {
      int i = timeOrder[t];
      ChunkHeader chunk = chunks.get(i);
      if (chunk.startTicks() == later.startTicks() && chunk.startNanos() == later.startNanos()) {
        continue; // the same chunk again, in a file joined to itself
      }
      long gap = later.startNanos() - chunk.endNanos();
      if (chunk.ticksPerSecond() != later.ticksPerSecond() || chunk.startTicks() >= later.startTicks()
          || gap < -MAX_GAP_NANOS || gap > MAX_GAP_NANOS) {
        return -1;
      }
      if (chunk.startTicks() <= startTicks) {
        return i;
      }
      later = chunk;
    }
    return -1;
  }

  private ConstantPools pools(int chunk, boolean resolvable) {
    if (resolvable != cachedResolvable) {
      cached.clear();
      cachedResolvable = resolvable;
    }
    if (cached.containsKey(chunk)) {
      return cached.get(chunk);
    }
    if (reader == null) {
      reader = new ChunkDecoder(channel, fileSize, () -> false, null);
    }
    ConstantPools pools = null;
    try {
      pools = reader.pools(chunkStarts[chunk], chunks.get(chunk), resolvable);
    } catch (JfrFormatException e) {
      // The chunk is damaged: decoding it reports that; an event of another has no stack.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cached.put(chunk, pools);
    return pools;
  }
}
