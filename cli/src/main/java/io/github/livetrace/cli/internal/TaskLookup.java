package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * One task of a trace, found as {@code tasks} finds it ({@link TaskSearch} for the task, then
 * {@link TaskDetails}), but reading only the chunks that can hold its events, which the {@link
 * TaskIndex} of the summary pass tells. The searches are the same as {@code tasks}'s; only the
 * chunks fed to them are fewer, and each set below holds every chunk a full read would take
 * something from, so the result is the one a full read gives:
 *
 * <ul>
 *   <li>the task: the chunks of its JVM whose id range holds its id (its {@code TaskEnd}, {@code
 *       TaskBegin}, or the {@code OpenTask} of a recording's last chunk are there);
 *   <li>its details: the chunks that overlap its span and the chunk after ({@link
 *       TraceReader#decode(TraceFile, int[], int, long, long, io.github.livetrace.cli.internal.jfr.JfrEventHandler)}: its regions and
 *       logs); those whose range holds its parent's id (the parent's type); and those whose range
 *       meets the ids created from it to its end (its children, which have larger ids than it and
 *       were created before it ended; the largest of those ids is at most the largest id of a chunk
 *       that began before the end, since a task created in a chunk ended there or was open at its
 *       end).
 * </ul>
 *
 * Without an index that {@linkplain TaskIndex#covers covers} a file, that file is read whole.
 */
public final class TaskLookup {
  private final Fleet fleet;
  private final TaskIndex index;
  private final AtomicLong chunksRead = new AtomicLong();

  /** @param index the summary's ({@link TraceSummary#taskIndex()}); null to read every chunk */
  public TaskLookup(Fleet fleet, TaskIndex index) {
    this.fleet = fleet;
    this.index = index;
  }

  /** The task of that {@linkplain TaskKeys key}, as {@code TaskSearch} with {@code withTask} finds it; empty when none. */
  public List<TaskSearch.Match> find(long key) throws BadInputException, IOException {
    TaskSearch.Filter filter = new TaskSearch.Filter(null, 0, Long.MAX_VALUE, null, 1).withTask(key);
    int jvm = TaskKeys.jvm(key);
    long id = TaskKeys.id(key);
    return TaskSearch.of(fleet, filter,
        p -> counted(covers(p) ? index.chunksMeeting(p, fleet.parts().get(p).jvmOfChunk(), jvm, id, id) : null)).finish();
  }

  /** The details of tasks that {@link #find} found, as {@link TaskDetails#of} gives them. */
  public TaskDetails details(List<TaskSearch.Match> matches) throws BadInputException, IOException {
    List<boolean[]> wantedByPart = new ArrayList<>();
    for (int p = 0; p < fleet.parts().size(); p++) {
      wantedByPart.add(covers(p) ? new boolean[fleet.parts().get(p).jvmOfChunk().length] : null);
    }
    for (TaskSearch.Match match : matches) {
      int jvm = TaskKeys.jvm(match.taskId());
      long id = TaskKeys.id(match.taskId());
      long from = match.beginNanos();
      long to = match.ended() ? match.beginNanos() + match.durationNanos() : fleet.endNanos();
      // The largest id created before the task ended, in any file of the fleet.
      long lastCreated = id;
      for (int p = 0; p < fleet.parts().size(); p++) {
        Fleet.Part part = fleet.parts().get(p);
        List<ChunkHeader> chunks = part.file().chunks();
        for (int c = 0; c < chunks.size() && covers(p); c++) {
          if (part.jvmOfChunk()[c] == jvm && chunks.get(c).startNanos() <= to) {
            lastCreated = Math.max(lastCreated, index.largest(p, c));
          }
        }
      }
      for (int p = 0; p < fleet.parts().size(); p++) {
        boolean[] wanted = wantedByPart.get(p);
        if (wanted == null) {
          continue;
        }
        Fleet.Part part = fleet.parts().get(p);
        or(wanted, TraceReader.chunksAround(part.file().chunks(), part.jvmOfChunk(), jvm, from, to));
        if (match.parentId() != 0) {
          long parent = TaskKeys.id(match.parentId());
          or(wanted, index.chunksMeeting(p, part.jvmOfChunk(), jvm, parent, parent));
        }
        if (lastCreated > id) {
          or(wanted, index.chunksMeeting(p, part.jvmOfChunk(), jvm, id + 1, lastCreated));
        }
      }
    }
    return TaskDetails.of(fleet, matches, p -> counted(wantedByPart.get(p)));
  }

  /** Chunks decoded so far by this lookup, counted as each is chosen. */
  public long chunksRead() {
    return chunksRead.get();
  }

  private boolean covers(int part) {
    return index != null && index.covers(part);
  }

  private static void or(boolean[] into, boolean[] more) {
    for (int i = 0; i < into.length; i++) {
      into[i] |= more[i];
    }
  }

  /**
   * The chunks {@code wanted} (all when null), counting each: a decoder asks once for each chunk
   * of a file.
   */
  private IntPredicate counted(boolean[] wanted) {
    return chunk -> {
      boolean read = wanted == null || wanted[chunk];
      if (read) {
        chunksRead.incrementAndGet();
      }
      return read;
    };
  }
}
