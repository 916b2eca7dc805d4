package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.EventNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;

/**
 * Writes a trace as a Trace Event Format file (JSON), which ui.perfetto.dev and chrome://tracing
 * open, one event as it is read: nothing is buffered but the state of open tasks.
 *
 * <ul>
 *   <li>One track per thread ({@code thread_name} metadata), with the thread's regions as nested
 *       complete slices ({@code "X"}), its blocked states (park, monitor enter and wait, sleep,
 *       socket and file I/O, when the trace has those JDK events) as slices too, its logs and
 *       misuse reports as instant events ({@code "i"}) and its CPU samples as instant events
 *       named after the top frame.
 *   <li>Each task as an async slice ({@code "b"}/{@code "e"}, id = task id) from its begin to its
 *       end. A task that began before the trace begins at the trace start; one still open at the
 *       end of the trace ends there, marked unfinished. Every begin has its end.
 *   <li>Flow arrows ({@code "s"}/{@code "f"}) that follow a task from a region on one thread to
 *       its first region on each other thread.
 *   <li>Garbage collections and GC pauses on two tracks of their own.
 * </ul>
 *
 * <p>Timestamps are microseconds since the start of the trace, with nanosecond decimals: absolute
 * times would not fit a double at that precision.
 */
public final class ChromeTraceExport implements TraceReader.Handler {
  private static final int PID = 1;
  private static final long GC_TID = 2_000_000_001L;
  private static final long GC_PAUSE_TID = 2_000_000_002L;
  private static final long JVM_THREAD_TIDS = 1_000_000_000L;
  private static final int SAMPLE_FRAMES = 16;
  private static final int MAX_THREAD_OBJECTS = 4096;

  /** How many events of each kind were written, for the command's report and the tests. */
  public static final class Counts {
    public long threads;
    public long regions;
    public long tasks;
    public long unfinishedTasks;
    public long flows;
    public long logs;
    public long gc;
    public long blocked;
    public long cpuSamples;
    public long misuse;
  }

  /** What is kept per open task. */
  private static final class TaskState {
    String type;
    long parentId;
    long beginTid;
    boolean beginWritten;
    boolean endWritten;
    long[] threads = new long[2]; // threads with a region of the task, in the order read
    int threadCount;
    long anchorTid; // a region of the task on the thread added last, where the next flow starts
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

  private final JsonWriter json;
  private final TraceFile file;
  private final long originNanos;
  private final long endNanos;
  private final TaskTracker<TaskState> tasks;
  private final EventFields fields = new EventFields();
  private final Set<Long> namedThreads = new HashSet<>();
  /** Track ids by thread object: reading a thread's ids costs more than writing a region. */
  private final Map<RecordedThread, Long> tids = new IdentityHashMap<>();
  private final Counts counts = new Counts();
  private long flowIds;

  /** Starts the file: the opening of the event array and the process name. */
  public ChromeTraceExport(JsonWriter json, TraceFile file) throws IOException {
    this.json = json;
    this.file = file;
    this.originNanos = file.startNanos();
    this.endNanos = file.endNanos();
    this.tasks = new TaskTracker<>(file.chunks(), id -> new TaskState(), this::retired);
    json.beginObject().name("traceEvents").beginArray();
    json.beginObject()
        .field("ph", "M")
        .field("name", "process_name")
        .field("pid", PID)
        .name("args").beginObject().field("name", "livetrace " + file.path().getFileName()).endObject()
        .endObject();
  }

  @Override
  public void event(RecordedEvent event) throws IOException {
    long end = Timestamps.nanos(event.getEndTime());
    tasks.advance(end);
    switch (event.getEventType().getName()) {
      case EventNames.TASK_BEGIN:
        taskBegun(event);
        break;
      case EventNames.TASK_END:
        taskEnded(event, end);
        break;
      case EventNames.REGION:
        region(event, end);
        break;
      case EventNames.LOG:
        log(event, end);
        break;
      case EventNames.MISUSE:
        misuse(event);
        break;
      case "jdk.GarbageCollection":
        garbageCollection(event, end);
        break;
      case "jdk.GCPhasePause":
        gcPause(event, end);
        break;
      case "jdk.ThreadPark":
        blocked(event, end, "park" + className(event, "parkedClass"));
        break;
      case "jdk.JavaMonitorEnter":
        blocked(event, end, "monitor enter" + className(event, "monitorClass"));
        break;
      case "jdk.JavaMonitorWait":
        blocked(event, end, "monitor wait" + className(event, "monitorClass"));
        break;
      case "jdk.ThreadSleep":
        blocked(event, end, "sleep");
        break;
      case "jdk.SocketRead":
        blocked(event, end, "socket read " + endpoint(event));
        break;
      case "jdk.SocketWrite":
        blocked(event, end, "socket write " + endpoint(event));
        break;
      case "jdk.FileRead":
        blocked(event, end, "file read");
        break;
      case "jdk.FileWrite":
        blocked(event, end, "file write");
        break;
      case "jdk.ExecutionSample":
        cpuSample(event);
        break;
      default:
        break;
    }
  }

  /** Ends the tasks still open, closes the JSON and returns what was written. */
  public Counts finish() throws IOException {
    tasks.finish();
    json.endArray();
    json.field("displayTimeUnit", "ms");
    json.name("otherData").beginObject()
        .field("generator", "livetrace export")
        .field("source", String.valueOf(file.path().getFileName()))
        .field("traceStart", Timestamps.instant(originNanos).toString())
        .field("note", "ts are microseconds since traceStart")
        .endObject();
    json.endObject();
    json.flush();
    return counts;
  }

  private void taskBegun(RecordedEvent event) throws IOException {
    long taskId = event.getLong("taskId");
    TaskState task = tasks.begun(taskId);
    if (task.beginWritten) {
      return; // its end came first in file order, and wrote both
    }
    task.type = EventFields.string(event, "taskType");
    task.parentId = event.getLong("parentId");
    task.beginTid = thread(fields.thread(event));
    asyncEvent("b", task, taskId, task.beginTid, Timestamps.nanos(event.getStartTime()));
    json.name("args").beginObject().field("taskId", taskId).field("parentId", task.parentId).endObject();
    json.endObject();
    task.beginWritten = true;
    counts.tasks++;
  }

  private void taskEnded(RecordedEvent event, long end) throws IOException {
    long taskId = event.getLong("taskId");
    TaskState task = tasks.ended(taskId, end);
    if (task == null) {
      return;
    }
    long duration = event.getLong("taskDuration");
    long tid = thread(fields.thread(event));
    if (!task.beginWritten) {
      task.type = EventFields.string(event, "taskType");
      task.parentId = event.getLong("parentId");
      long begin = end - duration;
      asyncEvent("b", task, taskId, tid, begin);
      json.name("args").beginObject()
          .field("taskId", taskId)
          .field("parentId", task.parentId)
          .name("beganBeforeTrace").value(begin < originNanos)
          .endObject();
      json.endObject();
      task.beginWritten = true;
      counts.tasks++;
    }
    asyncEvent("e", task, taskId, tid, end);
    json.name("args").beginObject().field("durationNanos", duration).endObject();
    json.endObject();
    task.endWritten = true;
  }

  private void retired(long taskId, TaskState task, boolean ended) {
    if (!task.beginWritten || task.endWritten) {
      return;
    }
    try {
      asyncEvent("e", task, taskId, task.beginTid, endNanos);
      json.name("args").beginObject().name("unfinished").value(true).endObject();
      json.endObject();
      task.endWritten = true;
      counts.unfinishedTasks++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void asyncEvent(String phase, TaskState task, long taskId, long tid, long atNanos)
      throws IOException {
    json.beginObject()
        .field("ph", phase)
        .field("cat", "task")
        .field("name", task.type == null ? "" : task.type)
        .field("id", Long.toString(taskId))
        .field("pid", PID)
        .field("tid", tid)
        .name("ts").micros(relative(atNanos));
  }

  private void region(RecordedEvent event, long end) throws IOException {
    long tid = thread(fields.thread(event));
    long start = Timestamps.nanos(event.getStartTime());
    long taskId = event.getLong("taskId");
    TaskState task = tasks.touched(taskId, end);
    slice(tid, "region", EventFields.string(event, "regionType"), start, end);
    json.name("args").beginObject().field("taskId", taskId);
    if (task != null && task.type != null) {
      json.field("task", task.type);
    }
    json.endObject().endObject();
    counts.regions++;
    if (task != null && !task.ranOn(tid)) {
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
  private void flow(TaskState task, long taskId, long tidA, long atA, long tidB, long atB)
      throws IOException {
    long flowId = ++flowIds;
    boolean aFirst = atA <= atB;
    String name = task.type == null ? "task " + taskId : task.type;
    json.beginObject()
        .field("ph", "s").field("cat", "task-flow").field("name", name).field("id", flowId)
        .field("pid", PID).field("tid", aFirst ? tidA : tidB)
        .name("ts").micros(relative(aFirst ? atA : atB))
        .endObject();
    json.beginObject()
        .field("ph", "f").field("bp", "e").field("cat", "task-flow").field("name", name)
        .field("id", flowId).field("pid", PID).field("tid", aFirst ? tidB : tidA)
        .name("ts").micros(relative(aFirst ? atB : atA))
        .endObject();
    counts.flows++;
  }

  private void log(RecordedEvent event, long end) throws IOException {
    long tid = thread(fields.thread(event));
    long taskId = event.getLong("taskId");
    TaskState task = tasks.touched(taskId, end);
    instant(tid, "log", EventFields.string(event, "category"), Timestamps.nanos(event.getStartTime()));
    json.name("args").beginObject().field("message", EventFields.string(event, "message")).field("taskId", taskId);
    if (task != null && task.type != null) {
      json.field("task", task.type);
    }
    json.endObject().endObject();
    counts.logs++;
  }

  private void misuse(RecordedEvent event) throws IOException {
    long tid = thread(fields.thread(event));
    instant(tid, "misuse", "misuse: " + EventFields.string(event, "kind"), Timestamps.nanos(event.getStartTime()));
    json.name("args").beginObject()
        .field("message", EventFields.string(event, "message"))
        .field("stack", stack(event.getStackTrace()))
        .endObject().endObject();
    counts.misuse++;
  }

  private void garbageCollection(RecordedEvent event, long end) throws IOException {
    nameSyntheticThread(GC_TID, "GC");
    String name = stringField(event, "name");
    String cause = stringField(event, "cause");
    slice(GC_TID, "gc", cause.isEmpty() ? name : name + " (" + cause + ")", Timestamps.nanos(event.getStartTime()), end);
    json.name("args").beginObject();
    if (event.hasField("gcId")) {
      json.field("gcId", event.getLong("gcId"));
    }
    if (event.hasField("sumOfPauses")) {
      json.field("sumOfPausesNanos", event.getDuration("sumOfPauses").toNanos());
    }
    json.endObject().endObject();
    counts.gc++;
  }

  private void gcPause(RecordedEvent event, long end) throws IOException {
    nameSyntheticThread(GC_PAUSE_TID, "GC pauses");
    slice(GC_PAUSE_TID, "gc", stringField(event, "name"), Timestamps.nanos(event.getStartTime()), end);
    json.name("args").beginObject();
    if (event.hasField("gcId")) {
      json.field("gcId", event.getLong("gcId"));
    }
    json.endObject().endObject();
    counts.gc++;
  }

  private void blocked(RecordedEvent event, long end, String name) throws IOException {
    RecordedThread thread = fields.thread(event);
    if (thread == null) {
      return;
    }
    long tid = thread(thread);
    slice(tid, "blocked", name, Timestamps.nanos(event.getStartTime()), end);
    json.name("args").beginObject().field("event", event.getEventType().getName());
    for (String field : List.of("path", "bytesRead", "bytesWritten", "timeout", "parkedClass")) {
      if (!event.hasField(field)) {
        continue;
      }
      Object value = event.getValue(field);
      if (value instanceof Number) {
        json.field(field, ((Number) value).longValue());
      } else if (value instanceof RecordedClass) {
        json.field(field, ((RecordedClass) value).getName());
      } else if (value != null) {
        json.field(field, String.valueOf(value));
      }
    }
    json.endObject().endObject();
    counts.blocked++;
  }

  private void cpuSample(RecordedEvent event) throws IOException {
    RecordedThread thread = event.hasField("sampledThread") ? event.getThread("sampledThread") : null;
    if (thread == null) {
      return;
    }
    long tid = thread(thread);
    RecordedStackTrace stack = event.getStackTrace();
    String top = "cpu sample";
    if (stack != null && !stack.getFrames().isEmpty()) {
      top = frame(stack.getFrames().get(0));
    }
    instant(tid, "cpu", top, Timestamps.nanos(event.getStartTime()));
    json.name("args").beginObject().field("stack", stack(stack)).endObject().endObject();
    counts.cpuSamples++;
  }

  /** Opens a complete slice; the caller adds args and closes it. */
  private void slice(long tid, String category, String name, long start, long end) throws IOException {
    long from = Math.max(start, originNanos);
    json.beginObject()
        .field("ph", "X")
        .field("cat", category)
        .field("name", name == null ? "" : name)
        .field("pid", PID)
        .field("tid", tid)
        .name("ts").micros(relative(from))
        .name("dur").micros(Math.max(0, end - from));
  }

  /** Opens a thread-scoped instant event; the caller adds args and closes it. */
  private void instant(long tid, String category, String name, long at) throws IOException {
    json.beginObject()
        .field("ph", "i")
        .field("s", "t")
        .field("cat", category)
        .field("name", name == null ? "" : name)
        .field("pid", PID)
        .field("tid", tid)
        .name("ts").micros(relative(at));
  }

  /** The track of a thread, named on first use. */
  private long thread(RecordedThread thread) throws IOException {
    if (thread == null) {
      return 0;
    }
    Long known = tids.get(thread);
    if (known != null) {
      return known;
    }
    if (tids.size() >= MAX_THREAD_OBJECTS) {
      tids.clear(); // thread objects of chunks already read
    }
    long tid = tid(thread);
    tids.put(thread, tid);
    if (namedThreads.add(tid)) {
      threadName(tid, EventFields.threadName(thread));
    }
    return tid;
  }

  private void nameSyntheticThread(long tid, String name) throws IOException {
    if (namedThreads.add(tid)) {
      threadName(tid, name);
    }
  }

  private void threadName(long tid, String name) throws IOException {
    json.beginObject()
        .field("ph", "M")
        .field("name", "thread_name")
        .field("pid", PID)
        .field("tid", tid)
        .name("args").beginObject().field("name", name).endObject()
        .endObject();
    counts.threads++;
  }

  private static long tid(RecordedThread thread) {
    long id = EventFields.threadId(thread);
    return id > 0 ? id : JVM_THREAD_TIDS - id;
  }

  private long relative(long nanos) {
    return Math.max(0, nanos - originNanos);
  }

  private static String className(RecordedEvent event, String field) {
    if (!event.hasField(field)) {
      return "";
    }
    RecordedClass type = event.getClass(field);
    return type == null ? "" : " " + type.getName();
  }

  private static String endpoint(RecordedEvent event) {
    String host = stringField(event, "host");
    if (host.isEmpty()) {
      host = stringField(event, "address");
    }
    return event.hasField("port") ? host + ":" + event.getInt("port") : host;
  }

  private static String stringField(RecordedEvent event, String field) {
    String value = EventFields.string(event, field);
    return value == null ? "" : value;
  }

  private static String stack(RecordedStackTrace stack) {
    if (stack == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    List<RecordedFrame> frames = stack.getFrames();
    for (int i = 0; i < Math.min(SAMPLE_FRAMES, frames.size()); i++) {
      text.append(i == 0 ? "" : "\n").append(frame(frames.get(i)));
    }
    if (frames.size() > SAMPLE_FRAMES || stack.isTruncated()) {
      text.append("\n...");
    }
    return text.toString();
  }

  private static String frame(RecordedFrame frame) {
    if (frame.getMethod() == null) {
      return "?";
    }
    String type = frame.getMethod().getType() == null ? "?" : frame.getMethod().getType().getName();
    String simple = type.substring(type.lastIndexOf('.') + 1);
    int line = frame.getLineNumber();
    return simple + "." + frame.getMethod().getName() + (line > 0 ? ":" + line : "");
  }
}
