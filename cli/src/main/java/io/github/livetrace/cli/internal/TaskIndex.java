package io.github.livetrace.cli.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per chunk of each file of a {@link Fleet}, the smallest and the largest task id of its {@code
 * TaskEnd}, {@code OpenTask} and {@code TaskBegin} events, as the {@linkplain TraceSummary summary
 * pass} read them: two longs per chunk, so that the viewer finds a task by reading the few chunks
 * whose range holds its id instead of the whole trace. Ids are per JVM, and a chunk is one JVM's
 * ({@link Fleet.Part#jvmOfChunk()}): the ids kept are that JVM's own.
 *
 * <p>The smallest id counts the {@code OpenTask} events of a recording's last chunk only, the only
 * ones {@link TaskSearch} and {@link TaskDetails} read (see {@link LivetraceEvents}): a task open
 * for the whole trace repeats its {@code OpenTask} in every chunk, and would otherwise make every
 * chunk's range start at its id. The largest counts them all, so that it is never below the id of
 * a task created in the chunk: one created there either ended there or was open at its end.
 *
 * <p>A chunk whose events hold no task has the empty range ({@code Long.MAX_VALUE}, {@code
 * Long.MIN_VALUE}). Readers of the same file, each with some of its chunks, {@linkplain #merge
 * merge} chunk by chunk, whatever the order; the indexes of different files are kept apart.
 */
public final class TaskIndex {
  private final Map<Integer, long[][]> byFile = new HashMap<>(); // part index -> {smallest, largest} by chunk
  private boolean complete; // every chunk of every file was read

  /** An empty index, to hold the files of other indexes. */
  TaskIndex() {}

  /** The index of one file, the {@code part}-th of its fleet, before any of its chunks is read. */
  TaskIndex(int part, int chunks) {
    long[] smallest = new long[chunks];
    long[] largest = new long[chunks];
    Arrays.fill(smallest, Long.MAX_VALUE);
    Arrays.fill(largest, Long.MIN_VALUE);
    byFile.put(part, new long[][] {smallest, largest});
  }

  /** A task id of {@code chunk} of {@code part}; {@code inSmallest} false for an OpenTask that does not end a recording. */
  void record(int part, int chunk, long id, boolean inSmallest) {
    if (id <= 0) {
      return; // the background task
    }
    long[][] ranges = byFile.get(part);
    if (inSmallest && id < ranges[0][chunk]) {
      ranges[0][chunk] = id;
    }
    if (id > ranges[1][chunk]) {
      ranges[1][chunk] = id;
    }
  }

  /** Adds what readers of other chunks, or of other files, recorded. */
  void merge(TaskIndex other) {
    other.byFile.forEach((part, theirs) -> {
      long[][] ours = byFile.get(part);
      if (ours == null) {
        byFile.put(part, new long[][] {theirs[0].clone(), theirs[1].clone()});
        return;
      }
      for (int c = 0; c < ours[0].length; c++) {
        ours[0][c] = Math.min(ours[0][c], theirs[0][c]);
        ours[1][c] = Math.max(ours[1][c], theirs[1][c]);
      }
    });
  }

  /** Marks the index as read from every chunk: only then does {@link #covers} answer true. */
  void completed() {
    complete = true;
  }

  /** Whether the index holds every chunk of the {@code part}-th file. */
  public boolean covers(int part) {
    return complete && byFile.containsKey(part);
  }

  /** The smallest task id of a chunk; {@code Long.MAX_VALUE} for none. */
  public long smallest(int part, int chunk) {
    return byFile.get(part)[0][chunk];
  }

  /** The largest task id of a chunk; {@code Long.MIN_VALUE} for none. */
  public long largest(int part, int chunk) {
    return byFile.get(part)[1][chunk];
  }

  /**
   * The chunks of {@code jvm} whose range meets {@code [fromId, toId]}: every chunk that holds a
   * {@code TaskEnd}, a {@code TaskBegin}, or a recording's last {@code OpenTask} of such an id
   * (and maybe others).
   */
  public boolean[] chunksMeeting(int part, int[] jvmOfChunk, int jvm, long fromId, long toId) {
    long[][] ranges = byFile.get(part);
    boolean[] wanted = new boolean[jvmOfChunk.length];
    for (int c = 0; c < wanted.length; c++) {
      wanted[c] = jvmOfChunk[c] == jvm && ranges[0][c] <= toId && ranges[1][c] >= fromId;
    }
    return wanted;
  }
}
