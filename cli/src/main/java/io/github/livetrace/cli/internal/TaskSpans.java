package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When some tasks were current on each thread, for profiles restricted to them. The trace says
 * when a task was current on a thread only through its events there (its begin, which its end or
 * open-task event holds, its end, regions and logs: {@code makeCurrent} is not recorded), so a task counts as current on a thread from the
 * start of its first event there to the end of its last. The spans of all the tasks on a thread
 * are merged into one sorted list of intervals. Chunks can be read on several threads, spans each,
 * {@linkplain #merge merged}.
 *
 * <p>Memory: a span per task and thread, up to {@link #MAX_SPANS}; the spans beyond are counted,
 * and their samples left out.
 */
final class TaskSpans implements JfrEventHandler {
  /** Task-and-thread spans kept (about 100 bytes each), and tasks of a type looked for. */
  static final int MAX_SPANS = 200_000;

  private record TaskThread(long task, long thread) {}

  private final Set<Long> tasks; // keys
  private final int[] jvmOfChunk;
  private final Map<TaskThread, long[]> spans = new HashMap<>(); // -> [start, end]
  private long dropped;
  private int jvm;

  /**
   * @param tasks the tasks, by {@linkplain TaskKeys key}
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  TaskSpans(Set<Long> tasks, int[] jvmOfChunk) {
    this.tasks = tasks;
    this.jvmOfChunk = jvmOfChunk;
  }

  /** The spans of {@code tasks} in every file of {@code fleet}. */
  static TaskSpans of(Fleet fleet, Set<Long> tasks) throws BadInputException, IOException {
    TaskSpans all = new TaskSpans(tasks, new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new TaskSpans(tasks, part.jvmOfChunk()), all::merge);
    }
    return all;
  }

  /**
   * The spans of one task, which ran in {@code [fromNanos, toNanos]}: only the chunks of its JVM
   * around that span are read.
   */
  static TaskSpans ofTask(Fleet fleet, long task, long fromNanos, long toNanos) throws BadInputException, IOException {
    TaskSpans all = new TaskSpans(Set.of(task), new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      TaskSpans ofPart = new TaskSpans(Set.of(task), part.jvmOfChunk());
      TraceReader.decode(part.file(), part.jvmOfChunk(), TaskKeys.jvm(task), fromNanos, toNanos, ofPart);
      all.merge(ofPart);
    }
    return all;
  }

  /**
   * The spans of the tasks of {@code type} (up to {@link #MAX_SPANS} of them; {@code dropped}
   * counts those beyond), in two readings: the tasks, then their events.
   */
  static TaskSpans ofType(Fleet fleet, String type) throws BadInputException, IOException {
    Set<Long> tasks = new HashSet<>();
    long[] more = {0};
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new OfType(type, part.jvmOfChunk()), found -> found.tasks.forEach(t -> {
        if (tasks.size() < MAX_SPANS) {
          tasks.add(t);
        } else if (!tasks.contains(t)) {
          more[0]++;
        }
      }));
    }
    TaskSpans spans = of(fleet, tasks);
    spans.dropped += more[0];
    return spans;
  }

  /** The keys of the tasks of a type, from their begins and ends. */
  private static final class OfType implements JfrEventHandler {
    final String type;
    final int[] jvmOfChunk;
    final Set<Long> tasks = new HashSet<>();
    int jvm;

    OfType(String type, int[] jvmOfChunk) {
      this.type = type;
      this.jvmOfChunk = jvmOfChunk;
    }

    @Override
    public EventSelection select(JfrType eventType) {
      EventSelection selection = LivetraceEvents.select(eventType, false);
      int tag = selection.tag();
      return tag == LivetraceEvents.TASK_BEGIN || tag == LivetraceEvents.TASK_END || tag == LivetraceEvents.OPEN_TASK
          ? selection : EventSelection.of(LivetraceEvents.OTHER);
    }

    @Override
    public void beginChunk(int index) {
      jvm = jvmOfChunk[index];
    }

    @Override
    public void event(JfrEvent event) {
      int tag = event.tag();
      if ((tag == LivetraceEvents.TASK_BEGIN || tag == LivetraceEvents.TASK_END || tag == LivetraceEvents.OPEN_TASK)
          && tasks.size() <= MAX_SPANS
          && type.equals(event.string(LivetraceEvents.TASK_TYPE))) {
        tasks.add(TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm));
      }
    }
  }

  @Override
  public EventSelection select(JfrType type) {
    return LivetraceEvents.select(type, false);
  }

  @Override
  public void beginChunk(int index) {
    jvm = jvmOfChunk[index];
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || tag == LivetraceEvents.MISUSE) {
      return;
    }
    long task = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    if (!tasks.contains(task)) {
      return;
    }
    if (tag == LivetraceEvents.TASK_END || tag == LivetraceEvents.OPEN_TASK) {
      // It holds the task's begin, on the thread that created it; an open task's own thread is
      // whichever ended the chunk, not one the task ran on.
      JfrThread begun = LivetraceEvents.beginThread(event);
      long begin = LivetraceEvents.beginNanos(event);
      if (begun != null) {
        add(new TaskThread(task, TaskKeys.key(begun.id(), jvm)), begin, begin);
      }
      if (tag == LivetraceEvents.OPEN_TASK) {
        return;
      }
    }
    JfrThread thread = event.thread();
    if (thread != null) {
      add(new TaskThread(task, TaskKeys.key(thread.id(), jvm)), event.startNanos(), event.endNanos());
    }
  }

  private void add(TaskThread taskAndThread, long start, long end) {
    long[] span = spans.get(taskAndThread);
    if (span == null) {
      if (spans.size() >= MAX_SPANS) {
        dropped++;
        return;
      }
      spans.put(taskAndThread, new long[] {start, end});
    } else {
      span[0] = Math.min(span[0], start);
      span[1] = Math.max(span[1], end);
    }
  }

  /** Adds the spans read from other chunks. */
  void merge(TaskSpans other) {
    other.spans.forEach((key, span) -> add(key, span[0], span[1]));
    dropped += other.dropped;
  }

  /**
   * The first start and the last end of all spans, nanoseconds since the epoch; {@code
   * [Long.MAX_VALUE, Long.MIN_VALUE]} when there are none. A task's last event may end a little
   * after its begin plus its {@code taskDuration}, which the JVM measured with another clock.
   */
  long[] bounds() {
    long[] bounds = {Long.MAX_VALUE, Long.MIN_VALUE};
    spans.values().forEach(span -> {
      bounds[0] = Math.min(bounds[0], span[0]);
      bounds[1] = Math.max(bounds[1], span[1]);
    });
    return bounds;
  }

  /** Task-and-thread spans beyond {@link #MAX_SPANS}, left out. */
  long dropped() {
    return dropped;
  }

  /**
   * By {@linkplain TaskKeys thread key}: the merged spans, as {@code [start, end, start, end...]}
   * in time order, nanoseconds since the epoch.
   */
  LongMap<long[]> byThread() {
    Map<Long, List<long[]>> perThread = new HashMap<>();
    spans.forEach((key, span) -> perThread.computeIfAbsent(key.thread(), t -> new ArrayList<>()).add(span));
    LongMap<long[]> result = new LongMap<>();
    perThread.forEach((thread, list) -> {
      list.sort((a, b) -> Long.compare(a[0], b[0]));
      long[] merged = new long[list.size() * 2];
      int n = 0;
      for (long[] span : list) {
        if (n > 0 && span[0] <= merged[n - 1]) {
          merged[n - 1] = Math.max(merged[n - 1], span[1]);
        } else {
          merged[n++] = span[0];
          merged[n++] = span[1];
        }
      }
      result.put(thread, Arrays.copyOf(merged, n));
    });
    return result;
  }

  /** Whether {@code at} is in one of the merged {@code spans} ({@link #byThread()}'s). */
  static boolean contains(long[] spans, long at) {
    int lo = 0;
    int hi = spans.length / 2 - 1;
    while (lo <= hi) { // the last span that starts at or before at
      int mid = (lo + hi) >>> 1;
      if (spans[2 * mid] <= at) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi >= 0 && at <= spans[2 * hi + 1];
  }
}
