package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.ChunkHeader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.TreeMap;

/**
 * Second pass of {@code tasks}: for the few tasks the first pass chose, everything they touched,
 * as Go's task page shows it: parent, children, threads, and their regions and logs in time
 * order. Memory is bounded by the number of tasks chosen times {@link #MAX_EVENTS_PER_TASK}.
 * Chunks can be read on several threads, details each, and the details {@linkplain #merge
 * merged}: what is kept when there is too much (the earliest events, the first children by id)
 * does not depend on which thread read which chunk.
 */
public final class TaskDetails implements JfrEventHandler {
  /** Events shown per task; the earliest are kept, the rest counted. */
  public static final int MAX_EVENTS_PER_TASK = 1_000;

  /** Children listed per task, the first by id (in the order they were created); the rest counted. */
  public static final int MAX_CHILDREN_PER_TASK = 100;

  /** What happened in a task, on one thread. */
  public enum Kind {
    TASK_BEGIN,
    TASK_END,
    REGION,
    LOG
  }

  /**
   * One line of a task's timeline.
   *
   * @param kind what it is
   * @param atNanos when it began, nanoseconds since the epoch
   * @param durationNanos how long it took; 0 for instants
   * @param threadId the thread it ran on
   * @param thread the thread's name at the time (a thread renamed during the trace has its old
   *     name in the steps before)
   * @param text region type, or log category and message
   */
  public record Step(Kind kind, long atNanos, long durationNanos, long threadId, String thread, String text) {}

  /**
   * A child task.
   *
   * @param taskId its id
   * @param type its type
   * @param durationNanos its duration when it ended in the trace, else -1
   */
  public record Child(long taskId, String type, long durationNanos) {}

  /**
   * A thread the task ran on.
   *
   * @param names its names, in the order the trace gave them: the last is the latest
   * @param regions the task's regions on it
   */
  public record TaskThread(List<String> names, int regions) {
    public String name() {
      return names.get(names.size() - 1);
    }
  }

  /** The order of steps: by time, enclosing regions before the regions nested in them. */
  private static final Comparator<Step> TIME_ORDER = Comparator.comparingLong(Step::atNanos)
      .thenComparing(Step::durationNanos, Comparator.reverseOrder())
      .thenComparing(Step::kind)
      .thenComparingLong(Step::threadId)
      .thenComparing(Step::text, Comparator.nullsFirst(Comparator.naturalOrder()));

  /** A thread the task ran on, as read so far: each name with when it was first seen. */
  private static final class ThreadSeen {
    long firstNanos = Long.MAX_VALUE;
    final Map<String, Long> names = new HashMap<>();
    int regions;

    void add(String name, long atNanos, int regions) {
      firstNanos = Math.min(firstNanos, atNanos);
      names.merge(name, atNanos, Math::min);
      this.regions += regions;
    }

    TaskThread toTaskThread() {
      List<String> inOrder = new ArrayList<>(names.keySet());
      inOrder.sort(Comparator.comparing((String n) -> names.get(n)).thenComparing(Comparator.naturalOrder()));
      return new TaskThread(inOrder, regions);
    }
  }

  /** Everything about one task. */
  public static final class Detail {
    private final TaskSearch.Match match;
    private final PriorityQueue<Step> steps = new PriorityQueue<>(TIME_ORDER.reversed()); // latest on top
    private long stepsSeen;
    private final TreeMap<Long, Child> children = new TreeMap<>(); // the first by id
    private long childrenSeen;
    private final Map<Long, ThreadSeen> threads = new HashMap<>(); // by thread id
    private String parentType;

    Detail(TaskSearch.Match match) {
      this.match = match;
    }

    public TaskSearch.Match match() {
      return match;
    }

    /** The type of the parent task, when the trace has it. */
    public String parentType() {
      return parentType;
    }

    /** The task's steps in time order; regions on a thread before the regions nested in them. */
    public List<Step> steps() {
      List<Step> result = new ArrayList<>(steps);
      result.sort(TIME_ORDER);
      return result;
    }

    /** Steps beyond {@link #MAX_EVENTS_PER_TASK}, not shown. */
    public long droppedSteps() {
      return stepsSeen - steps.size();
    }

    /** The child tasks, the first by id. */
    public List<Child> children() {
      return new ArrayList<>(children.values());
    }

    /** Child tasks beyond {@link #MAX_CHILDREN_PER_TASK}. */
    public long moreChildren() {
      return childrenSeen - children.size();
    }

    /** Threads the task ran on (where it began, ended, had regions or logs), in the order it came to them. */
    public List<TaskThread> threads() {
      List<Map.Entry<Long, ThreadSeen>> entries = new ArrayList<>(threads.entrySet());
      entries.sort(Comparator.comparingLong((Map.Entry<Long, ThreadSeen> e) -> e.getValue().firstNanos)
          .thenComparingLong(Map.Entry::getKey));
      List<TaskThread> result = new ArrayList<>();
      entries.forEach(e -> result.add(e.getValue().toTaskThread()));
      return result;
    }

    private void add(Step step) {
      threads.computeIfAbsent(step.threadId(), t -> new ThreadSeen())
          .add(step.thread(), step.atNanos(), step.kind() == Kind.REGION ? 1 : 0);
      keep(step);
      stepsSeen++;
    }

    private void keep(Step step) {
      steps.add(step);
      if (steps.size() > MAX_EVENTS_PER_TASK) {
        steps.poll();
      }
    }

    /**
     * A child's begin or end. Each child is counted once: at its begin, or at its end when its
     * begin is before the trace.
     */
    private void child(Child child, boolean counted) {
      if (counted) {
        childrenSeen++;
      }
      keepChild(child);
    }

    private void keepChild(Child child) {
      children.merge(child.taskId(), child, (known, added) -> added.durationNanos() >= 0 ? added : known);
      if (children.size() > MAX_CHILDREN_PER_TASK) {
        children.pollLastEntry();
      }
    }

    private void add(Detail other) {
      other.steps.forEach(this::keep);
      stepsSeen += other.stepsSeen;
      other.children.values().forEach(this::keepChild);
      childrenSeen += other.childrenSeen;
      other.threads.forEach((id, theirs) -> {
        ThreadSeen ours = threads.computeIfAbsent(id, t -> new ThreadSeen());
        theirs.names.forEach((name, at) -> ours.add(name, at, 0));
        ours.regions += theirs.regions;
      });
      if (parentType == null) {
        parentType = other.parentType;
      }
    }
  }

  private final long traceStartNanos;
  private final Map<Long, Detail> details = new LinkedHashMap<>();
  private final Map<Long, List<Detail>> byParent = new HashMap<>();

  private final int[] jvmOfChunk;
  private final boolean[] endsRecording;
  private int jvm; // of the chunk being read
  private boolean lastChunk; // whether it is its JVM's last, whose open tasks were open at the end

  public TaskDetails(TraceFile file, List<TaskSearch.Match> matches) {
    this(file.startNanos(), file.chunks(), new int[file.chunks().size()], matches);
  }

  /**
   * The details of one file of a {@link Fleet}, which {@link #merge} adds up with the others.
   *
   * @param traceStartNanos the start of the whole trace
   * @param chunks the file's chunks, whose times tell where each recording ends
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  public TaskDetails(long traceStartNanos, List<ChunkHeader> chunks, int[] jvmOfChunk, List<TaskSearch.Match> matches) {
    this.traceStartNanos = traceStartNanos;
    this.jvmOfChunk = jvmOfChunk;
    this.endsRecording = LivetraceEvents.endsOfRecordings(chunks, jvmOfChunk);
    for (TaskSearch.Match match : matches) {
      Detail detail = new Detail(match);
      details.put(match.taskId(), detail);
      if (match.parentId() != 0) {
        byParent.computeIfAbsent(match.parentId(), p -> new ArrayList<>()).add(detail);
      }
    }
  }

  /** Reads every file of {@code fleet}, each on several threads, for what {@code matches} touched. */
  public static TaskDetails of(Fleet fleet, List<TaskSearch.Match> matches) throws BadInputException, java.io.IOException {
    return of(fleet, matches, part -> chunk -> true);
  }

  /** {@link #of(Fleet, List)} of the chunks that {@code wanted} accepts, by the part's index in the fleet. */
  static TaskDetails of(Fleet fleet, List<TaskSearch.Match> matches, IntFunction<IntPredicate> wanted)
      throws BadInputException, java.io.IOException {
    TaskDetails details = new TaskDetails(fleet.startNanos(), List.of(), new int[0], matches);
    for (int p = 0; p < fleet.parts().size(); p++) {
      Fleet.Part part = fleet.parts().get(p);
      List<ChunkHeader> chunks = part.file().chunks();
      TaskDetails ofFile = new TaskDetails(fleet.startNanos(), chunks, part.jvmOfChunk(), matches);
      TraceReader.decode(part.file(), wanted.apply(p), () -> new TaskDetails(fleet.startNanos(), chunks, part.jvmOfChunk(), matches),
          ofFile::merge);
      details.merge(ofFile);
    }
    return details;
  }

  @Override
  public EventSelection select(JfrType type) {
    return LivetraceEvents.select(type, true);
  }

  @Override
  public void beginChunk(int index) {
    jvm = jvmOfChunk[index];
    lastChunk = endsRecording[index];
  }

  @Override
  public void event(JfrEvent event) {
    switch (event.tag()) {
      case LivetraceEvents.TASK_BEGIN:
        taskEvent(event, Kind.TASK_BEGIN, -1);
        break;
      case LivetraceEvents.TASK_END:
        if (LivetraceEvents.endHasBegin(event)) {
          taskEvent(event, Kind.TASK_END, event.longValue(LivetraceEvents.TASK_DURATION));
        } else {
          wholeTask(event);
        }
        break;
      case LivetraceEvents.OPEN_TASK:
        if (lastChunk) {
          openAtEnd(event);
        }
        break;
      case LivetraceEvents.REGION: {
        Detail detail = details.get(TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm));
        if (detail != null) {
          detail.add(step(event, Kind.REGION, event.durationNanos(), event.string(LivetraceEvents.REGION_TYPE)));
        }
        break;
      }
      case LivetraceEvents.LOG: {
        Detail detail = details.get(TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm));
        if (detail != null) {
          String text = event.string(LivetraceEvents.CATEGORY) + ": " + event.string(LivetraceEvents.MESSAGE);
          detail.add(step(event, Kind.LOG, 0, text));
        }
        break;
      }
      default:
        break;
    }
  }

  private void taskEvent(JfrEvent event, Kind kind, long durationNanos) {
    long taskId = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    String type = event.string(LivetraceEvents.TASK_TYPE);
    Detail detail = details.get(taskId);
    if (detail != null) {
      detail.add(step(event, kind, 0, type));
    }
    Detail parent = details.get(TaskKeys.key(event.longValue(LivetraceEvents.PARENT_ID), jvm));
    if (parent != null) {
      boolean counted = kind == Kind.TASK_BEGIN || event.endNanos() - durationNanos < traceStartNanos;
      parent.child(new Child(taskId, type, durationNanos), counted);
    }
    List<Detail> childrenOfThis = byParent.get(taskId);
    if (childrenOfThis != null) {
      for (Detail child : childrenOfThis) {
        child.parentType = type;
      }
    }
  }

  /** A task's end that holds its begin (livetrace 0.2): both steps, and a child counted once. */
  private void wholeTask(JfrEvent event) {
    long taskId = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    String type = event.string(LivetraceEvents.TASK_TYPE);
    long duration = event.longValue(LivetraceEvents.TASK_DURATION);
    Detail detail = details.get(taskId);
    if (detail != null) {
      detail.add(step(LivetraceEvents.beginThread(event), Kind.TASK_BEGIN, LivetraceEvents.beginNanos(event), type));
      detail.add(step(event, Kind.TASK_END, 0, type));
    }
    related(taskId, type, event.longValue(LivetraceEvents.PARENT_ID), new Child(taskId, type, duration), true);
  }

  /** A task open at the end of the trace: its begin, unless its end was found. */
  private void openAtEnd(JfrEvent event) {
    long taskId = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    String type = event.string(LivetraceEvents.TASK_TYPE);
    Detail detail = details.get(taskId);
    if (detail != null && !detail.match().ended()) {
      detail.add(step(event.thread(LivetraceEvents.BEGIN_THREAD), Kind.TASK_BEGIN, LivetraceEvents.beginNanos(event), type));
    }
    related(taskId, type, event.longValue(LivetraceEvents.PARENT_ID), new Child(taskId, type, -1), true);
  }

  /** Tells the task's parent of it, if chosen, and the task's chosen children of their parent's type. */
  private void related(long taskId, String type, long parentId, Child child, boolean counted) {
    Detail parent = details.get(TaskKeys.key(parentId, jvm));
    if (parent != null) {
      parent.child(child, counted);
    }
    List<Detail> childrenOfThis = byParent.get(taskId);
    if (childrenOfThis != null) {
      for (Detail c : childrenOfThis) {
        c.parentType = type;
      }
    }
  }

  private static Step step(JfrThread thread, Kind kind, long atNanos, String text) {
    long threadId = thread == null ? 0 : thread.id();
    String name = thread == null ? "?" : thread.name();
    return new Step(kind, atNanos, 0, threadId, name, text);
  }

  private static Step step(JfrEvent event, Kind kind, long durationNanos, String text) {
    JfrThread thread = event.thread();
    long threadId = thread == null ? 0 : thread.id();
    String name = thread == null ? "?" : thread.name();
    return new Step(kind, event.startNanos(), durationNanos, threadId, name, text);
  }

  /** Adds the details read from other chunks of the same trace, as if their events had been read here. */
  public void merge(TaskDetails other) {
    other.details.forEach((taskId, theirs) -> details.get(taskId).add(theirs));
  }

  /** The details, in the order of the matches given. */
  public List<Detail> details() {
    return new ArrayList<>(details.values());
  }
}
