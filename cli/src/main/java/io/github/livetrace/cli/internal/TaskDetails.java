package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Second pass of {@code tasks}: for the few tasks the first pass chose, everything they touched,
 * as Go's task page shows it: parent, children, threads, and their regions and logs in time
 * order. Memory is bounded by the number of tasks chosen times {@link #MAX_EVENTS_PER_TASK}.
 */
public final class TaskDetails implements JfrEventHandler {
  /** Events shown per task; the earliest are kept, the rest counted. */
  public static final int MAX_EVENTS_PER_TASK = 1_000;

  /** Children listed per task; the rest counted. */
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

  /** Everything about one task. */
  public static final class Detail {
    private final TaskSearch.Match match;
    private final PriorityQueue<Step> steps =
        new PriorityQueue<>(Comparator.comparingLong(Step::atNanos).reversed()); // latest on top
    private final Map<Long, Child> children = new LinkedHashMap<>();
    private final Map<Long, TaskThread> threads = new LinkedHashMap<>(); // by thread id
    private long droppedSteps;
    private long moreChildren;
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
      result.sort(
          Comparator.comparingLong(Step::atNanos)
              .thenComparing(Step::durationNanos, Comparator.reverseOrder())
              .thenComparing(Step::kind));
      return result;
    }

    /** Steps beyond {@link #MAX_EVENTS_PER_TASK}, not shown. */
    public long droppedSteps() {
      return droppedSteps;
    }

    /** The child tasks, in the order read. */
    public List<Child> children() {
      return new ArrayList<>(children.values());
    }

    /** Child tasks beyond {@link #MAX_CHILDREN_PER_TASK}. */
    public long moreChildren() {
      return moreChildren;
    }

    /** Threads the task ran on (where it began, ended, had regions or logs), by id. */
    public Map<Long, TaskThread> threads() {
      return threads;
    }

    private void add(Step step) {
      int regions = step.kind() == Kind.REGION ? 1 : 0;
      threads.merge(step.threadId(), new TaskThread(List.of(step.thread()), regions), (known, added) -> {
        List<String> names = known.names();
        if (!names.contains(step.thread())) {
          names = new ArrayList<>(names);
          names.add(step.thread());
        }
        return new TaskThread(names, known.regions() + regions);
      });
      steps.add(step);
      if (steps.size() > MAX_EVENTS_PER_TASK) {
        steps.poll();
        droppedSteps++;
      }
    }

    private void child(long taskId, String type, long durationNanos) {
      Child known = children.get(taskId);
      if (known != null) {
        if (durationNanos >= 0) {
          children.put(taskId, new Child(taskId, type, durationNanos));
        }
      } else if (children.size() < MAX_CHILDREN_PER_TASK) {
        children.put(taskId, new Child(taskId, type, durationNanos));
      } else if (durationNanos < 0) {
        moreChildren++; // counted at its begin; one that began before the trace is not counted
      }
    }
  }

  private final Map<Long, Detail> details = new LinkedHashMap<>();
  private final Map<Long, List<Detail>> byParent = new HashMap<>();

  public TaskDetails(List<TaskSearch.Match> matches) {
    for (TaskSearch.Match match : matches) {
      Detail detail = new Detail(match);
      details.put(match.taskId(), detail);
      if (match.parentId() != 0) {
        byParent.computeIfAbsent(match.parentId(), p -> new ArrayList<>()).add(detail);
      }
    }
  }

  @Override
  public EventSelection select(JfrType type) {
    return LivetraceEvents.select(type, true);
  }

  @Override
  public void event(JfrEvent event) {
    switch (event.tag()) {
      case LivetraceEvents.TASK_BEGIN:
        taskEvent(event, Kind.TASK_BEGIN, -1);
        break;
      case LivetraceEvents.TASK_END:
        taskEvent(event, Kind.TASK_END, event.longValue(LivetraceEvents.TASK_DURATION));
        break;
      case LivetraceEvents.REGION: {
        Detail detail = details.get(event.longValue(LivetraceEvents.TASK_ID));
        if (detail != null) {
          detail.add(step(event, Kind.REGION, event.durationNanos(), event.string(LivetraceEvents.REGION_TYPE)));
        }
        break;
      }
      case LivetraceEvents.LOG: {
        Detail detail = details.get(event.longValue(LivetraceEvents.TASK_ID));
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
    long taskId = event.longValue(LivetraceEvents.TASK_ID);
    String type = event.string(LivetraceEvents.TASK_TYPE);
    Detail detail = details.get(taskId);
    if (detail != null) {
      detail.add(step(event, kind, 0, type));
    }
    Detail parent = details.get(event.longValue(LivetraceEvents.PARENT_ID));
    if (parent != null) {
      parent.child(taskId, type, durationNanos);
    }
    List<Detail> childrenOfThis = byParent.get(taskId);
    if (childrenOfThis != null) {
      for (Detail child : childrenOfThis) {
        child.parentType = type;
      }
    }
  }

  private static Step step(JfrEvent event, Kind kind, long durationNanos, String text) {
    JfrThread thread = event.thread();
    long threadId = thread == null ? 0 : thread.id();
    String name = thread == null ? "?" : thread.name();
    return new Step(kind, event.startNanos(), durationNanos, threadId, name, text);
  }

  /** The details, in the order of the matches given. */
  public List<Detail> details() {
    return new ArrayList<>(details.values());
  }
}
