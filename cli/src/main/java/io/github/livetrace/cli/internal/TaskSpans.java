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
import java.util.function.IntFunction;

/**
 * When some tasks were current on each thread, for profiles restricted to them. The trace says
 * when a task was current on a thread only through its events there (its begin, which its end or
 * open-task event holds, its end, regions and logs: {@code makeCurrent} is not recorded), so a task counts as current on a thread from the
 * start of its first event there to the end of its last. The spans of all the tasks on a thread
 * are merged into one sorted list of intervals ({@link #byThread()}), or one per task type ({@link
 * #byType()}). Chunks can be read on several threads, spans each, {@linkplain #merge merged}.
 *
 * <p>Memory: a span per task and thread, 36 bytes in an open-addressing table at most three
 * quarters full (48 to 96 bytes each; 151 MB for the 2.2 million of the 300 MB benchmark trace), up
 * to a limit: {@link #MAX_SPANS} for some tasks, {@link
 * #MAX_ALL_SPANS} for all; the spans beyond are counted, and their samples left out.
 */
final class TaskSpans implements JfrEventHandler {
  /** Task-and-thread spans kept for some tasks, and tasks of a type looked for. */
  static final int MAX_SPANS = 200_000;

  /**
   * Task-and-thread spans kept for all tasks ({@link #ofAll}): three quarters of the largest table
   * of at most 2^22 slots (151 MB) that takes at most a quarter of the heap: 3,145,728 spans in a
   * heap of 604 MB or more, 786,432 in {@code -Xmx256m}.
   */
  static final int MAX_ALL_SPANS = maxAllSpans(Runtime.getRuntime().maxMemory());

  private static final int SLOT_BYTES = 36;

  /** The spans a table of all tasks may hold in a heap of {@code maxHeap} bytes. */
  static int maxAllSpans(long maxHeap) {
    long slots = Long.highestOneBit(Math.max(16, Math.min(1L << 22, maxHeap / 4 / SLOT_BYTES)));
    return (int) (slots / 4 * 3);
  }

  private final Set<Long> tasks; // keys; null: every task but the background one
  private int[] jvmOfChunk; // the file's being read
  private final int maxSpans;
  private Runnable chunkBegun = () -> {};
  // The table: by slot, the task key (0: a free slot), the thread key, the span, and the task's
  // type when an event of the task there named it (begins, ends, open tasks; regions and logs do not).
  private long[] taskOf = new long[16];
  private long[] threadOf = new long[16];
  private long[] startOf = new long[16];
  private long[] endOf = new long[16];
  private String[] typeOf = new String[16];
  private int size;
  private long dropped;
  private int jvm;

  /**
   * @param tasks the tasks, by {@linkplain TaskKeys key}; null for all
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  TaskSpans(Set<Long> tasks, int[] jvmOfChunk) {
    this.tasks = tasks;
    this.jvmOfChunk = jvmOfChunk;
    this.maxSpans = tasks == null ? MAX_ALL_SPANS : MAX_SPANS;
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
      TraceReader.decode(part.file(), part.jvmOfChunk(), TaskKeys.jvm(task), fromNanos, toNanos,
          () -> new TaskSpans(Set.of(task), part.jvmOfChunk()), all::merge);
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

  /**
   * The spans of every task, with its type, in one reading of every file in time order (one
   * table, not one per decoding thread); {@code chunkBegun} is called as each chunk begins.
   */
  static TaskSpans ofAll(Fleet fleet, Runnable chunkBegun) throws BadInputException, IOException {
    TaskSpans all = new TaskSpans(null, new int[0]);
    all.chunkBegun = chunkBegun;
    for (Fleet.Part part : fleet.parts()) {
      all.jvmOfChunk = part.jvmOfChunk();
      TraceReader.decode(part.file(), all);
    }
    return all;
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
      return LivetraceEvents.isTaskEvent(selection.tag()) ? selection : EventSelection.of(LivetraceEvents.OTHER);
    }

    @Override
    public void beginChunk(int index) {
      jvm = jvmOfChunk[index];
    }

    @Override
    public void event(JfrEvent event) {
      int tag = event.tag();
      if (LivetraceEvents.isTaskEvent(tag) && tasks.size() <= MAX_SPANS
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
    chunkBegun.run();
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || tag == LivetraceEvents.MISUSE) {
      return;
    }
    long task = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    if (tasks == null ? task == 0 : !tasks.contains(task)) {
      return;
    }
    String type = tag == LivetraceEvents.REGION || tag == LivetraceEvents.LOG ? null : event.string(LivetraceEvents.TASK_TYPE);
    if (tag == LivetraceEvents.TASK_END || tag == LivetraceEvents.OPEN_TASK) {
      // It holds the task's begin, on the thread that created it; an open task's own thread is
      // whichever ended the chunk, not one the task ran on.
      JfrThread begun = LivetraceEvents.beginThread(event);
      long begin = LivetraceEvents.beginNanos(event);
      if (begun != null) {
        add(task, TaskKeys.key(begun.id(), jvm), begin, begin, type);
      }
      if (tag == LivetraceEvents.OPEN_TASK) {
        return;
      }
    }
    JfrThread thread = event.thread();
    if (thread != null) {
      add(task, TaskKeys.key(thread.id(), jvm), event.startNanos(), event.endNanos(), type);
    }
  }

  private void add(long task, long thread, long start, long end, String type) {
    int mask = taskOf.length - 1;
    int i = slot(task, thread, mask);
    while (taskOf[i] != 0 && (taskOf[i] != task || threadOf[i] != thread)) {
      i = (i + 1) & mask;
    }
    if (taskOf[i] == 0) {
      if (size >= maxSpans) {
        dropped++;
        return;
      }
      taskOf[i] = task;
      threadOf[i] = thread;
      startOf[i] = start;
      endOf[i] = end;
      typeOf[i] = type;
      if (++size * 4L > taskOf.length * 3L) {
        grow();
      }
      return;
    }
    startOf[i] = Math.min(startOf[i], start);
    endOf[i] = Math.max(endOf[i], end);
    if (typeOf[i] == null) {
      typeOf[i] = type;
    }
  }

  private static int slot(long task, long thread, int mask) {
    long h = task * 0x9E3779B97F4A7C15L ^ thread * 0xC2B2AE3D27D4EB4FL;
    return (int) (h ^ h >>> 29) & mask;
  }

  private void grow() {
    long[] tasks = taskOf;
    long[] threads = threadOf;
    long[] starts = startOf;
    long[] ends = endOf;
    String[] types = typeOf;
    int capacity = tasks.length * 2;
    taskOf = new long[capacity];
    threadOf = new long[capacity];
    startOf = new long[capacity];
    endOf = new long[capacity];
    typeOf = new String[capacity];
    int mask = capacity - 1;
    for (int j = 0; j < tasks.length; j++) {
      if (tasks[j] != 0) {
        int i = slot(tasks[j], threads[j], mask);
        while (taskOf[i] != 0) {
          i = (i + 1) & mask;
        }
        taskOf[i] = tasks[j];
        threadOf[i] = threads[j];
        startOf[i] = starts[j];
        endOf[i] = ends[j];
        typeOf[i] = types[j];
      }
    }
  }

  /** Adds the spans read from other chunks. */
  void merge(TaskSpans other) {
    for (int i = 0; i < other.taskOf.length; i++) {
      if (other.taskOf[i] != 0) {
        add(other.taskOf[i], other.threadOf[i], other.startOf[i], other.endOf[i], other.typeOf[i]);
      }
    }
    dropped += other.dropped;
  }

  /**
   * The first start and the last end of all spans, nanoseconds since the epoch; {@code
   * [Long.MAX_VALUE, Long.MIN_VALUE]} when there are none. A task's last event may end a little
   * after its begin plus its {@code taskDuration}, which the JVM measured with another clock.
   */
  long[] bounds() {
    long[] bounds = {Long.MAX_VALUE, Long.MIN_VALUE};
    for (int i = 0; i < taskOf.length; i++) {
      if (taskOf[i] != 0) {
        bounds[0] = Math.min(bounds[0], startOf[i]);
        bounds[1] = Math.max(bounds[1], endOf[i]);
      }
    }
    return bounds;
  }

  /** Task-and-thread spans beyond the limit, left out. */
  long dropped() {
    return dropped;
  }

  /**
   * By {@linkplain TaskKeys thread key}: the merged spans, as {@code [start, end, start, end...]}
   * in time order, nanoseconds since the epoch.
   */
  LongMap<long[]> byThread() {
    Map<String, LongMap<long[]>> one = merged(i -> "");
    return one.isEmpty() ? new LongMap<>() : one.get("");
  }

  /**
   * {@link #byThread()} for each task type apart: by type, then by thread key. A span whose own
   * events did not name the type (a region on another thread) takes it from the task's other spans;
   * the spans of a task whose type no event named (its begin and end are outside the trace) are in
   * none.
   */
  ProfileSamples.TypeSpans byType() {
    String unknown = new String(); // told apart by identity: "" is a type
    LongMap<String> typeOfTask = new LongMap<>(); // only for tasks with a span that lacks it
    for (int i = 0; i < taskOf.length; i++) {
      if (taskOf[i] != 0 && typeOf[i] == null) {
        typeOfTask.put(taskOf[i], unknown);
      }
    }
    for (int i = 0; i < taskOf.length; i++) {
      if (taskOf[i] != 0 && typeOf[i] != null && typeOfTask.get(taskOf[i]) != null) {
        typeOfTask.put(taskOf[i], typeOf[i]);
      }
    }
    Map<String, LongMap<long[]>> byType = merged(i -> {
      String type = typeOf[i] != null ? typeOf[i] : typeOfTask.get(taskOf[i]);
      return type == unknown ? null : type;
    });
    List<String> types = new ArrayList<>(byType.keySet());
    LongMap<List<ProfileSamples.TypeSpan>> byThread = new LongMap<>();
    for (int t = 0; t < types.size(); t++) {
      int type = t;
      byType.get(types.get(t)).forEach((thread, spans) -> {
        List<ProfileSamples.TypeSpan> ofThread = byThread.get(thread);
        if (ofThread == null) {
          byThread.put(thread, ofThread = new ArrayList<>());
        }
        ofThread.add(new ProfileSamples.TypeSpan(type, spans));
      });
    }
    return new ProfileSamples.TypeSpans(types, byThread);
  }

  /**
   * The spans grouped by what {@code group} says of each slot (null: left out), then by thread,
   * each group's merged into {@code [start, end, ...]}. Starts and ends are sorted apart, not as
   * pairs: the union of closed intervals is where more have started than ended, counting a start
   * before an end at the same instant, so that spans that touch merge.
   */
  private Map<String, LongMap<long[]>> merged(IntFunction<String> group) {
    Map<String, LongMap<long[][]>> growing = new HashMap<>(); // {starts, ends, {count}}
    for (int i = 0; i < taskOf.length; i++) {
      if (taskOf[i] == 0) {
        continue;
      }
      String key = group.apply(i);
      if (key == null) {
        continue;
      }
      LongMap<long[][]> ofGroup = growing.computeIfAbsent(key, k -> new LongMap<>());
      long[][] lists = ofGroup.get(threadOf[i]);
      if (lists == null) {
        ofGroup.put(threadOf[i], lists = new long[][] {new long[8], new long[8], {0}});
      }
      int n = (int) lists[2][0];
      if (n == lists[0].length) {
        lists[0] = Arrays.copyOf(lists[0], n * 2);
        lists[1] = Arrays.copyOf(lists[1], n * 2);
      }
      lists[0][n] = startOf[i];
      lists[1][n] = endOf[i];
      lists[2][0] = n + 1;
    }
    Map<String, LongMap<long[]>> result = new HashMap<>();
    growing.forEach((key, ofGroup) -> {
      LongMap<long[]> byThread = new LongMap<>();
      ofGroup.forEach((thread, lists) -> byThread.put(thread, union(lists[0], lists[1], (int) lists[2][0])));
      result.put(key, byThread);
    });
    return result;
  }

  private static long[] union(long[] starts, long[] ends, int n) {
    Arrays.sort(starts, 0, n);
    Arrays.sort(ends, 0, n);
    long[] merged = new long[2 * n];
    int m = 0;
    int depth = 0;
    for (int i = 0, j = 0; i < n; ) {
      if (starts[i] <= ends[j]) {
        if (depth++ == 0) {
          merged[m++] = starts[i];
        }
        i++;
      } else {
        if (--depth == 0) {
          merged[m++] = ends[j];
        }
        j++;
      }
    }
    merged[m++] = ends[n - 1]; // all have started; the last end closes the last span
    return Arrays.copyOf(merged, m);
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
