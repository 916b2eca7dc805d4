package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrObject;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.Durations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;

/**
 * Writes a trace as a Trace Event Format file (JSON), which ui.perfetto.dev and chrome://tracing
 * open, one event as it is read: nothing is buffered but the state of open tasks and of each
 * thread's tracks.
 *
 * <ul>
 *   <li>One track per thread, with the thread's regions as nested complete slices ({@code "X"}),
 *       its blocked states (park, monitor enter and wait, sleep, socket and file I/O, when the
 *       trace has those JDK events) as slices too, its logs and misuse reports as instant events
 *       ({@code "i"}) and its CPU samples as instant events named after the top frame. A slice
 *       that cannot nest on its thread's track (regions ended out of order) goes to an extra
 *       track of the thread ({@link SliceTracks}), marked as misuse. A track is named after its
 *       thread's last name; a thread renamed during the trace lists its earlier names in the
 *       track's metadata.
 *   <li>Each task as an async slice ({@code "b"}/{@code "e"}, id = task id) from its begin to its
 *       end. A task that began before the trace begins where its duration says; one still open at
 *       the end of the trace ends there, marked unfinished; one still open where the reading of a
 *       window stopped ({@link #readsUpTo}) ends at the window's end, marked {@code
 *       endsAfterWindow}. Every begin has its end.
 *   <li>Flow arrows ({@code "s"}/{@code "f"}) that follow a task from a region on one thread to
 *       its first region on each other thread.
 *   <li>Garbage collections and GC pauses on two tracks of their own.
 * </ul>
 *
 * <p>A fleet (several JVMs, {@link Fleet}) is one process per JVM, named after it (its pod), on
 * one timeline: {@link #open} starts the file, an export per JVM writes its process ({@link
 * #ChromeTraceExport(JsonGenerator, TraceFile, Selection, Process)}), {@link #close} ends it.
 *
 * <p>A {@link Selection} keeps a time window, some tasks or some threads. Timestamps are
 * microseconds since the start of the trace (its earliest chunk), with nanosecond decimals:
 * absolute times would not fit a double at that precision.
 */
public final class ChromeTraceExport implements JfrEventHandler {
  private static final int PID = 1;

  /**
   * The JVM one export writes, as a process of a fleet's file.
   *
   * @param jvm the JVM's index: events of chunks other JVMs wrote are passed over
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   * @param name the process's name
   * @param originNanos the start of the whole trace, time 0 of every process
   * @param endNanos the end of the whole trace
   */
  public record Process(int jvm, int[] jvmOfChunk, String name, long originNanos, long endNanos) {}
  private static final long GC_TID = 2_000_000_001L;
  private static final long GC_PAUSE_TID = 2_000_000_002L;
  private static final long FIRST_EXTRA_TID = 3_000_000_000L;
  private static final long JVM_THREAD_TIDS = 1_000_000_000L;
  private static final int SAMPLE_FRAMES = 16;

  // Tags of the JDK events shown, after livetrace's own.
  private static final int GC = LivetraceEvents.FIRST_FREE_TAG;
  private static final int GC_PAUSE = GC + 1;
  private static final int BLOCKED = GC + 2;
  private static final int CPU_SAMPLE = GC + 3;

  /** The JDK events shown as blocked states (by their names here), and the fields shown in their args. */
  static final Map<String, String> BLOCKED_NAMES = Map.of(
      "jdk.ThreadPark", "park",
      "jdk.JavaMonitorEnter", "monitor enter",
      "jdk.JavaMonitorWait", "monitor wait",
      "jdk.ThreadSleep", "sleep",
      "jdk.SocketRead", "socket read",
      "jdk.SocketWrite", "socket write",
      "jdk.FileRead", "file read",
      "jdk.FileWrite", "file write");
  static final List<String> BLOCKED_FIELDS =
      List.of("path", "bytesRead", "bytesWritten", "timeout", "parkedClass", "monitorClass", "host", "address", "port");
  private static final int PATH = BLOCKED_FIELDS.indexOf("path");
  private static final int PARKED_CLASS = BLOCKED_FIELDS.indexOf("parkedClass");
  private static final int MONITOR_CLASS = BLOCKED_FIELDS.indexOf("monitorClass");
  private static final int HOST = BLOCKED_FIELDS.indexOf("host");
  private static final int ADDRESS = BLOCKED_FIELDS.indexOf("address");
  private static final int PORT = BLOCKED_FIELDS.indexOf("port");

  /**
   * What to export: events that intersect {@code [fromNanos, toNanos]} (nanoseconds since the
   * epoch), of the given tasks (async slices and flows) and threads (everything on a thread's
   * track); null for all tasks or all threads.
   */
  public record Selection(long fromNanos, long toNanos, Set<Long> tasks, Set<Long> threads) {
    public static final Selection ALL = new Selection(Long.MIN_VALUE, Long.MAX_VALUE, null, null);

    boolean inWindow(long start, long end) {
      return start <= toNanos && end >= fromNanos;
    }

    boolean task(long taskId) {
      return tasks == null || tasks.contains(taskId);
    }

    boolean thread(long threadId) {
      return threads == null || threads.contains(threadId);
    }
  }

  /** How many events of each kind were written, for the command's report and the tests. */
  public static final class Counts {
    public long threads;
    public long regions;
    public long tasks;
    public long unfinishedTasks;
    /** Tasks still open where the reading stopped, before the end of the trace ({@link #readsUpTo}). */
    public long endsAfterWindow;
    public long flows;
    public long logs;
    public long gc;
    public long blocked;
    public long cpuSamples;
    public long misuse;
    /** Slices moved to an extra track because they did not nest. */
    public long notNested;
    /** Chunks decoded, whole or for their task events only ({@link WindowExport}). */
    public long chunksRead;

    /** Adds another process's counts. */
    public void add(Counts other) {
      threads += other.threads;
      regions += other.regions;
      tasks += other.tasks;
      unfinishedTasks += other.unfinishedTasks;
      endsAfterWindow += other.endsAfterWindow;
      flows += other.flows;
      logs += other.logs;
      gc += other.gc;
      blocked += other.blocked;
      cpuSamples += other.cpuSamples;
      misuse += other.misuse;
      notNested += other.notNested;
      chunksRead += other.chunksRead;
    }
  }

  /** What is kept per open task. */
  private static final class TaskState {
    String type;
    long parentId;
    long beginTid;
    String beginThreadName; // the name of the thread the task began on, at the time
    long beginNanos = Long.MIN_VALUE; // from its begin event; unknown until then
    boolean beginWritten;
    boolean ended; // its end was read: what is written of it is decided
    boolean endWritten;
    long[] threads = new long[2]; // tracks with a region of the task, in the order read
    int threadCount;
    long anchorTid; // a region of the task on the track added last, where the next flow starts
    long anchorNanos;

    boolean ranOn(long tid) {
      for (int i = 0; i < threadCount; i++) {
        if (threads[i] == tid) {
          return true;
        }
      }
      return false;
    }

    void addThread(long tid) {
      if (threadCount == threads.length) {
        threads = Arrays.copyOf(threads, threadCount * 2);
      }
      threads[threadCount++] = tid;
    }
  }

  private final JsonGenerator json;
  private final TraceFile file;
  private final Selection selection;
  private final int pid;
  private final int jvm;
  private final int[] jvmOfChunk;
  private final boolean alone; // opens and closes the file itself
  private boolean skipping; // the chunk being read is another JVM's
  private final long originNanos;
  private final long endNanos;
  private final TaskTracker<TaskState> tasks;
  private final SliceTracks tracks = new SliceTracks(FIRST_EXTRA_TID);
  /** Per track of a thread (by tid): its names in the order read, the latest last. */
  private final Map<Long, List<String>> threadNames = new LinkedHashMap<>();
  private final Counts counts = new Counts();
  private long flowIds;
  private long readUpToNanos = Long.MAX_VALUE; // where the reading stops, if before the end of the trace

  /** Starts the file of one JVM's trace: the opening of the event array and the process name. */
  public ChromeTraceExport(JsonGenerator json, TraceFile file, Selection selection) {
    this(json, file, selection, new Process(0, new int[file.chunks().size()], "livetrace " + file.path().getFileName(), file.startNanos(), file.endNanos()), true);
  }

  /**
   * Writes one JVM of a fleet as a process of a file that {@link #open} started; {@link #finish}
   * writes its track names, and {@link #close} ends the file after the last one.
   */
  public ChromeTraceExport(JsonGenerator json, TraceFile file, Selection selection, Process process) {
    this(json, file, selection, process, false);
  }

  private ChromeTraceExport(JsonGenerator json, TraceFile file, Selection selection, Process process, boolean alone) {
    this.json = json;
    this.file = file;
    this.selection = selection;
    this.pid = PID + process.jvm();
    this.jvm = process.jvm();
    this.jvmOfChunk = process.jvmOfChunk();
    this.alone = alone;
    this.originNanos = process.originNanos();
    this.endNanos = process.endNanos();
    this.tasks = new TaskTracker<>(file.chunks(), id -> new TaskState(), this::retired);
    if (alone) {
      open(json);
    }
    json.writeStartObject();
    json.writeStringProperty("ph", "M");
    json.writeStringProperty("name", "process_name");
    json.writeNumberProperty("pid", pid);
    json.writeName("args");
    json.writeStartObject();
    json.writeStringProperty("name", process.name());
    json.writeEndObject();
    json.writeEndObject();
  }

  /** Starts a file: the opening of the event array. */
  public static void open(JsonGenerator json) {
    json.writeStartObject();
    json.writeName("traceEvents");
    json.writeStartArray();
  }

  /**
   * Ends a file that {@link #open} started, once every process is written.
   *
   * @param readUpToNanos where the reading of the trace stopped ({@link #readsUpTo}); {@code
   *     Long.MAX_VALUE} for its end
   */
  public static void close(JsonGenerator json, String source, long originNanos, long readUpToNanos) {
    json.writeEndArray();
    json.writeStringProperty("displayTimeUnit", "ms");
    json.writeName("otherData");
    json.writeStartObject();
    json.writeStringProperty("generator", "livetrace export");
    json.writeStringProperty("source", source);
    json.writeStringProperty("traceStart", Timestamps.instant(originNanos).toString());
    json.writeStringProperty("note", "ts are microseconds since traceStart");
    if (readUpToNanos != Long.MAX_VALUE) {
      json.writeStringProperty("readUpTo", "+" + Durations.format(readUpToNanos - originNanos) + ": the chunks that overlap"
          + " the window and the one after it were read. Events are written when they end: a slice that ended later is"
          + " not here, and a task still open then ends at the window's end, marked endsAfterWindow");
    }
    json.writeEndObject();
    json.writeEndObject();
    json.writeRaw('\n');
    json.flush();
  }

  /**
   * Says that the reading stops at {@code nanos}, the end of a chunk before the end of the trace,
   * as it does for a window ({@link WindowExport}). All that is known then of the end of a task
   * still open there is that it comes later: it is drawn to the end of the selection, marked
   * {@code endsAfterWindow}, rather than to the end of the trace, marked unfinished. A slice that
   * ended after {@code nanos} is not read at all (events are written when they end), which the
   * file's {@code otherData} says.
   */
  public void readsUpTo(long nanos) {
    readUpToNanos = nanos;
  }

  /** Where the reading stops ({@link #readsUpTo}); {@code Long.MAX_VALUE} at the end of the trace. */
  long readUpTo() {
    return readUpToNanos;
  }

  /** Whether events of the JFR type {@code typeName} are written (livetrace's own, GC, blocked states, CPU samples). */
  static boolean shows(JfrType type) {
    String name = type.name();
    return LivetraceEvents.select(type, false).tag() != LivetraceEvents.OTHER || BLOCKED_NAMES.containsKey(name)
        || name.equals("jdk.GarbageCollection") || name.equals("jdk.GCPhasePause") || name.equals("jdk.ExecutionSample");
  }

  @Override
  public void beginChunk(int index) {
    skipping = jvmOfChunk[index] != jvm;
  }

  @Override
  public EventSelection select(JfrType type) {
    EventSelection livetrace = LivetraceEvents.select(type, true);
    if (livetrace.tag() != LivetraceEvents.OTHER) {
      return livetrace;
    }
    switch (type.name()) {
      case "jdk.GarbageCollection":
        return EventSelection.of(GC, "name", "cause", "gcId", "sumOfPauses");
      case "jdk.GCPhasePause":
        return EventSelection.of(GC_PAUSE, "name", "gcId");
      case "jdk.ExecutionSample":
        return EventSelection.of(CPU_SAMPLE, "sampledThread").withStackTrace();
      default:
        return BLOCKED_NAMES.containsKey(type.name())
            ? new EventSelection(BLOCKED, BLOCKED_FIELDS, false)
            : EventSelection.of(LivetraceEvents.OTHER);
    }
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || skipping) {
      return;
    }
    long end = event.endNanos();
    tasks.advance(end);
    switch (tag) {
      case LivetraceEvents.TASK_BEGIN:
        taskBegun(event);
        break;
      case LivetraceEvents.TASK_END:
        taskEnded(event, end);
        break;
      case LivetraceEvents.OPEN_TASK:
        taskOpen(event);
        break;
      case LivetraceEvents.REGION:
        region(event, end);
        break;
      case LivetraceEvents.LOG:
        log(event, end);
        break;
      case LivetraceEvents.MISUSE:
        misuse(event);
        break;
      case GC:
        garbageCollection(event, end);
        break;
      case GC_PAUSE:
        gcPause(event, end);
        break;
      case BLOCKED:
        blocked(event, end);
        break;
      default:
        cpuSample(event);
        break;
    }
  }

  /** Ends the tasks still open, names the tracks, closes the JSON and returns what was written. */
  public Counts finish() {
    tasks.finish();
    Map<Long, List<Long>> extraTracks = tracks.extraTracks();
    threadNames.forEach((tid, names) -> {
      threadName(tid, names.get(names.size() - 1), names.subList(0, names.size() - 1));
      List<Long> extras = extraTracks.getOrDefault(tid, List.of());
      for (int i = 0; i < extras.size(); i++) {
        threadName(extras.get(i), names.get(names.size() - 1) + " (regions that do not nest, " + (i + 1) + ")",
            List.of());
      }
    });
    if (alone) {
      close(json, String.valueOf(file.path().getFileName()), originNanos, readUpToNanos);
    }
    return counts;
  }

  private void taskBegun(JfrEvent event) {
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    TaskState task = tasks.begun(taskId);
    if (task.ended) {
      return; // its end came first in file order, and wrote both or neither
    }
    task.type = event.string(LivetraceEvents.TASK_TYPE);
    task.parentId = event.longValue(LivetraceEvents.PARENT_ID);
    task.beginTid = tid(event.thread());
    task.beginThreadName = event.thread() == null ? null : event.thread().name();
    task.beginNanos = event.startNanos();
    if (selection.task(taskId) && selection.inWindow(task.beginNanos, task.beginNanos)) {
      writeBegin(task, taskId, task.beginNanos, false);
    }
  }

  /**
   * A task open at the end of a chunk: known from here on, with its begin, as if its begin had
   * been read (a chunk's open tasks claim the regions read before them, see {@link TaskTracker}).
   */
  private void taskOpen(JfrEvent event) {
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    TaskState task = tasks.begun(taskId);
    if (task.ended || task.beginNanos != Long.MIN_VALUE) {
      return; // known already
    }
    JfrThread thread = event.thread(LivetraceEvents.BEGIN_THREAD);
    task.type = event.string(LivetraceEvents.TASK_TYPE);
    task.parentId = event.longValue(LivetraceEvents.PARENT_ID);
    task.beginTid = tid(thread);
    task.beginThreadName = thread == null ? null : thread.name();
    task.beginNanos = LivetraceEvents.beginNanos(event);
    if (selection.task(taskId) && selection.inWindow(task.beginNanos, task.beginNanos)) {
      writeBegin(task, taskId, task.beginNanos, task.beginNanos < originNanos);
    }
  }

  private void taskEnded(JfrEvent event, long end) {
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    TaskState task = tasks.ended(taskId, end);
    if (task == null) {
      return;
    }
    task.ended = true;
    long duration = event.longValue(LivetraceEvents.TASK_DURATION);
    JfrThread thread = event.thread();
    long tid = tid(thread);
    if (!task.beginWritten) {
      // Since livetrace 0.2 an end without a TaskBegin holds its begin, exactly; an OpenTask read
      // before only estimated it, anew in each chunk (microseconds apart), and a window may read
      // another chunk's than the whole trace does.
      boolean begunInTrace = task.beginNanos != Long.MIN_VALUE && LivetraceEvents.endHasBegin(event);
      long begin = begunInTrace ? task.beginNanos : end - duration;
      if (!selection.task(taskId) || !selection.inWindow(begin, end)) {
        return;
      }
      task.type = event.string(LivetraceEvents.TASK_TYPE);
      task.parentId = event.longValue(LivetraceEvents.PARENT_ID);
      if (begunInTrace) {
        writeBegin(task, taskId, begin, false);
      } else {
        JfrThread beginThread = LivetraceEvents.beginThread(event);
        task.beginTid = tid(beginThread);
        task.beginThreadName = beginThread == null ? null : beginThread.name();
        // Since livetrace 0.2 an end holds its begin; a 0.1 end without its begin began before.
        writeBegin(task, taskId, begin, LivetraceEvents.endHasBegin(event) || begin < originNanos);
      }
    }
    named(tid, thread);
    asyncEvent("e", task, taskId, tid, end);
    json.writeName("args");
    json.writeStartObject();
    json.writeNumberProperty("durationNanos", duration);
    json.writeEndObject();
    json.writeEndObject();
    task.endWritten = true;
  }

  private void writeBegin(TaskState task, long taskId, long begin, boolean beforeTrace) {
    named(task.beginTid, task.beginThreadName);
    asyncEvent("b", task, taskId, task.beginTid, begin);
    json.writeName("args");
    json.writeStartObject();
    json.writeNumberProperty("taskId", taskId);
    json.writeNumberProperty("parentId", task.parentId);
    if (beforeTrace) {
      json.writeBooleanProperty("beganBeforeTrace", begin < originNanos);
    }
    json.writeEndObject();
    json.writeEndObject();
    task.beginWritten = true;
    counts.tasks++;
  }

  /**
   * A task still open at the end of the trace ends there, if it was shown; one still open where
   * the reading stopped ends at the end of the selection.
   */
  private void retired(long taskId, TaskState task, boolean ended) {
    if (task.endWritten) {
      return;
    }
    boolean cut = readUpToNanos != Long.MAX_VALUE;
    long end = cut ? Math.min(selection.toNanos(), endNanos) : endNanos;
    if (!task.beginWritten) {
      boolean shown = !ended && task.beginNanos != Long.MIN_VALUE && selection.task(taskId)
          && selection.inWindow(task.beginNanos, end);
      if (!shown) {
        return;
      }
      writeBegin(task, taskId, task.beginNanos, false);
    }
    asyncEvent("e", task, taskId, task.beginTid, end);
    json.writeName("args");
    json.writeStartObject();
    json.writeBooleanProperty(cut ? "endsAfterWindow" : "unfinished", true);
    json.writeEndObject();
    json.writeEndObject();
    task.endWritten = true;
    if (cut) {
      counts.endsAfterWindow++;
    } else {
      counts.unfinishedTasks++;
    }
  }

  private void asyncEvent(String phase, TaskState task, long taskId, long tid, long atNanos) {
    json.writeStartObject();
    json.writeStringProperty("ph", phase);
    json.writeStringProperty("cat", "task");
    json.writeStringProperty("name", task.type == null ? "" : task.type);
    json.writeStringProperty("id", pid == PID ? Long.toString(taskId) : pid + ":" + taskId); // ids are per JVM
    json.writeNumberProperty("pid", pid);
    json.writeNumberProperty("tid", tid);
    timestamp("ts", atNanos);
  }

  private void region(JfrEvent event, long end) {
    long start = event.startNanos();
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    TaskState task = tasks.touched(taskId, end);
    JfrThread thread = event.thread();
    if (!selection.inWindow(start, end) || !selection.thread(threadId(thread))) {
      return;
    }
    long tid = slice(thread, "region", event.string(LivetraceEvents.REGION_TYPE), start, end);
    json.writeNumberProperty("taskId", taskId);
    if (task != null && task.type != null) {
      json.writeStringProperty("task", task.type);
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.regions++;
    if (task != null && selection.task(taskId) && !task.ranOn(tid)) {
      long middle = Math.max(start, originNanos) + (end - Math.max(start, originNanos)) / 2;
      if (task.threadCount > 0) {
        flow(task, taskId, task.anchorTid, task.anchorNanos, tid, middle);
      }
      task.addThread(tid);
      task.anchorTid = tid;
      task.anchorNanos = middle;
    }
  }

  /**
   * An arrow from a point inside a slice on one thread to a point inside a slice on another,
   * drawn from the earlier point to the later: both ends bind to the slice that encloses them.
   */
  private void flow(TaskState task, long taskId, long tidA, long atA, long tidB, long atB) {
    long flowId = ++flowIds * TaskKeys.MAX_JVMS + jvm; // unique across the processes of a fleet
    boolean aFirst = atA <= atB;
    String name = task.type == null ? "task " + taskId : task.type;
    flowEnd("s", name, flowId, aFirst ? tidA : tidB, aFirst ? atA : atB);
    flowEnd("f", name, flowId, aFirst ? tidB : tidA, aFirst ? atB : atA);
    counts.flows++;
  }

  /** The start ({@code "s"}) or the finish ({@code "f"}, bound to its enclosing slice) of a flow. */
  private void flowEnd(String phase, String name, long flowId, long tid, long at) {
    json.writeStartObject();
    json.writeStringProperty("ph", phase);
    if (phase.equals("f")) {
      json.writeStringProperty("bp", "e");
    }
    json.writeStringProperty("cat", "task-flow");
    json.writeStringProperty("name", name);
    json.writeNumberProperty("id", flowId);
    json.writeNumberProperty("pid", pid);
    json.writeNumberProperty("tid", tid);
    timestamp("ts", at);
    json.writeEndObject();
  }

  private void log(JfrEvent event, long end) {
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    TaskState task = tasks.touched(taskId, end);
    JfrThread thread = event.thread();
    long at = event.startNanos();
    if (!selection.inWindow(at, at) || !selection.thread(threadId(thread))) {
      return;
    }
    instant(named(tid(thread), thread), "log", event.string(LivetraceEvents.CATEGORY), at);
    json.writeStringProperty("message", event.string(LivetraceEvents.MESSAGE));
    json.writeNumberProperty("taskId", taskId);
    if (task != null && task.type != null) {
      json.writeStringProperty("task", task.type);
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.logs++;
  }

  private void misuse(JfrEvent event) {
    JfrThread thread = event.thread();
    long at = event.startNanos();
    if (!selection.inWindow(at, at) || !selection.thread(threadId(thread))) {
      return;
    }
    instant(named(tid(thread), thread), "misuse", "misuse: " + event.string(LivetraceEvents.KIND), at);
    json.writeStringProperty("message", event.string(LivetraceEvents.MISUSE_MESSAGE));
    json.writeStringProperty("stack", stack(event.stackTrace()));
    json.writeEndObject();
    json.writeEndObject();
    counts.misuse++;
  }

  private void garbageCollection(JfrEvent event, long end) {
    long start = event.startNanos();
    if (!selection.inWindow(start, end)) {
      return;
    }
    String name = text(event.value(0));
    String cause = text(event.value(1));
    slice(GC_TID, "GC", "gc", cause.isEmpty() ? name : name + " (" + cause + ")", start, end);
    if (event.has(2)) {
      json.writeNumberProperty("gcId", event.longValue(2));
    }
    if (event.has(3)) {
      json.writeNumberProperty("sumOfPausesNanos", event.ticksToNanos(event.longValue(3)));
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.gc++;
  }

  private void gcPause(JfrEvent event, long end) {
    long start = event.startNanos();
    if (!selection.inWindow(start, end)) {
      return;
    }
    slice(GC_PAUSE_TID, "GC pauses", "gc", event.string(0), start, end);
    if (event.has(1)) {
      json.writeNumberProperty("gcId", event.longValue(1));
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.gc++;
  }

  private void blocked(JfrEvent event, long end) {
    JfrThread thread = event.thread();
    long start = event.startNanos();
    if (thread == null || !selection.inWindow(start, end) || !selection.thread(thread.id())) {
      return;
    }
    String typeName = event.type().name();
    slice(thread, "blocked", blockedName(event), start, end);
    json.writeStringProperty("event", typeName);
    for (int slot = 0; slot < BLOCKED_FIELDS.size(); slot++) {
      if (!event.has(slot) || slot == HOST || slot == ADDRESS || slot == PORT) {
        continue;
      }
      String field = BLOCKED_FIELDS.get(slot);
      JfrObject value = event.value(slot);
      if (value != null) {
        json.writeStringProperty(field, JfrObject.className(value));
      } else if (event.string(slot) != null) {
        json.writeStringProperty(field, event.string(slot));
      } else if (slot != PARKED_CLASS && slot != MONITOR_CLASS) {
        json.writeNumberProperty(field, event.longValue(slot));
      }
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.blocked++;
  }

  private void cpuSample(JfrEvent event) {
    JfrThread thread = event.thread(0);
    long at = event.startNanos();
    if (thread == null || !selection.inWindow(at, at) || !selection.thread(thread.id())) {
      return;
    }
    JfrObject stack = event.stackTrace();
    List<Object> frames = stack == null ? List.of() : stack.array("frames");
    String top = frames.isEmpty() ? "cpu sample" : frame(frames.get(0));
    instant(named(tid(thread), thread), "cpu", top, at);
    json.writeStringProperty("stack", stack(stack));
    json.writeEndObject();
    json.writeEndObject();
    counts.cpuSamples++;
  }

  /**
   * Opens a complete slice on a track of the thread where it nests, and its args; the caller adds
   * args and closes both. Returns the track's tid.
   */
  private long slice(JfrThread thread, String category, String name, long start, long end) {
    return slice(named(tid(thread), thread), null, category, name, start, end);
  }

  private long slice(long tid, String trackName, String category, String name, long start, long end) {
    if (trackName != null) {
      threadNames.putIfAbsent(tid, new ArrayList<>(List.of(trackName)));
    }
    long from = Math.max(start, originNanos);
    SliceTracks.Placement placement = tracks.place(tid, from, end);
    json.writeStartObject();
    json.writeStringProperty("ph", "X");
    json.writeStringProperty("cat", category);
    json.writeStringProperty("name", name == null ? "" : name);
    json.writeNumberProperty("pid", pid);
    json.writeNumberProperty("tid", placement.tid());
    timestamp("ts", from);
    json.writeName("dur");
    JsonOutput.micros(json, Math.max(0, end - from));
    json.writeName("args");
    json.writeStartObject();
    if (placement.extra()) {
      json.writeStringProperty("misuse", "does not nest with the slices of its thread's track: regions ended"
          + " out of order");
      counts.notNested++;
    }
    return placement.tid();
  }

  /** Opens a thread-scoped instant event and its args; the caller adds args and closes both. */
  private void instant(long tid, String category, String name, long at) {
    json.writeStartObject();
    json.writeStringProperty("ph", "i");
    json.writeStringProperty("s", "t");
    json.writeStringProperty("cat", category);
    json.writeStringProperty("name", name == null ? "" : name);
    json.writeNumberProperty("pid", pid);
    json.writeNumberProperty("tid", tid);
    timestamp("ts", at);
    json.writeName("args");
    json.writeStartObject();
  }

  private void timestamp(String name, long nanos) {
    json.writeName(name);
    JsonOutput.micros(json, Math.max(0, nanos - originNanos));
  }

  /** The track of a thread: its id, and JVM threads (which have none) above. */
  private static long tid(JfrThread thread) {
    if (thread == null) {
      return 0;
    }
    long id = thread.id();
    return id > 0 ? id : JVM_THREAD_TIDS - id;
  }

  /** Notes the name of the thread of a track that an event is written on; returns the track. */
  private long named(long tid, JfrThread thread) {
    return named(tid, thread == null ? null : thread.name());
  }

  /** Keeps every name a track's thread had, the latest last. */
  private long named(long tid, String name) {
    if (name != null) {
      List<String> names = threadNames.computeIfAbsent(tid, t -> new ArrayList<>(1));
      if (names.isEmpty() || !names.get(names.size() - 1).equals(name)) {
        names.remove(name);
        names.add(name);
      }
    }
    return tid;
  }

  private static long threadId(JfrThread thread) {
    return thread == null ? 0 : thread.id();
  }

  private void threadName(long tid, String name, List<String> earlier) {
    json.writeStartObject();
    json.writeStringProperty("ph", "M");
    json.writeStringProperty("name", "thread_name");
    json.writeNumberProperty("pid", pid);
    json.writeNumberProperty("tid", tid);
    json.writeName("args");
    json.writeStartObject();
    json.writeStringProperty("name", name);
    if (!earlier.isEmpty()) {
      json.writeName("earlierNames");
      json.writeStartArray();
      for (String n : earlier) {
        json.writeString(n);
      }
      json.writeEndArray();
    }
    json.writeEndObject();
    json.writeEndObject();
    counts.threads++;
  }

  /** A pooled value shown as text: its first string field (a GC name, a GC cause). */
  private static String text(JfrObject value) {
    if (value == null) {
      return "";
    }
    for (var field : value.type().fields()) {
      String s = value.string(field.name());
      if (s != null) {
        return s;
      }
    }
    return "";
  }


  private static String stack(JfrObject stack) {
    if (stack == null) {
      return "";
    }
    List<Object> frames = stack.array("frames");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(SAMPLE_FRAMES, frames.size()); i++) {
      text.append(i == 0 ? "" : "\n").append(frame(frames.get(i)));
    }
    if (frames.size() > SAMPLE_FRAMES || stack.booleanValue("truncated")) {
      text.append("\n...");
    }
    return text.toString();
  }

  /**
   * What a blocked state says, from an event selected with {@link #BLOCKED_FIELDS}: "park
   * java.util.concurrent.locks.ReentrantLock$NonfairSync", "socket read example.org:443", "file
   * read /tmp/x", "sleep".
   */
  static String blockedName(JfrEvent event) {
    String typeName = event.type().name();
    String name = BLOCKED_NAMES.get(typeName);
    if (typeName.startsWith("jdk.Socket")) {
      String host = event.string(HOST);
      if (host == null || host.isEmpty()) {
        host = event.string(ADDRESS);
      }
      return name + " " + (host == null ? "" : host) + (event.has(PORT) ? ":" + event.longValue(PORT) : "");
    }
    if (typeName.startsWith("jdk.File")) {
      String path = event.string(PATH);
      return path == null ? name : name + " " + path;
    }
    String monitor = JfrObject.className(event.value(event.has(PARKED_CLASS) ? PARKED_CLASS : MONITOR_CLASS));
    return monitor.isEmpty() ? name : name + " " + monitor;
  }

  /** A stack frame as {@code Class.method:line}, the class without its package; "?" when unknown. */
  static String frame(Object value) {
    JfrObject frame = value instanceof JfrObject ? (JfrObject) value : null;
    JfrObject method = frame == null ? null : frame.object("method");
    if (method == null) {
      return "?";
    }
    String type = JfrObject.className(method.object("type"));
    String simple = type.isEmpty() ? "?" : type.substring(type.lastIndexOf('.') + 1);
    JfrObject name = method.object("name");
    long line = frame.longValue("lineNumber", -1);
    return simple + "." + (name == null ? "?" : name.string("string")) + (line > 0 ? ":" + line : "");
  }
}
