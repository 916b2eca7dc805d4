package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.EventNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;

/**
 * Second pass of {@code tasks}: for the few tasks the first pass chose, everything they touched,
 * as Go's task page shows it: parent, children, threads, and their regions and logs in time
 * order. Memory is bounded by the number of tasks chosen times {@link #MAX_EVENTS_PER_TASK}.
 */
public final class TaskDetails implements TraceReader.Handler {
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
   * @param thread the thread's name
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

  /** Everything about one task. */
  public static final class Detail {
    private final TaskSearch.Match match;
    private final PriorityQueue<Step> steps =
        new PriorityQueue<>(Comparator.comparingLong(Step::atNanos).reversed()); // latest on top
    private final Map<Long, Child> children = new LinkedHashMap<>();
    private final Map<String, Integer> regionsPerThread = new LinkedHashMap<>();
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

    /** Threads the task ran on (where it began, ended, had regions or logs), with region counts. */
    public Map<String, Integer> threads() {
      return regionsPerThread;
    }

    private void add(Step step) {
      regionsPerThread.merge(step.thread(), step.kind() == Kind.REGION ? 1 : 0, Integer::sum);
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

  private final EventFields fields = new EventFields();
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
  public void event(RecordedEvent event) {
    switch (event.getEventType().getName()) {
      case EventNames.TASK_BEGIN:
        taskEvent(event, Kind.TASK_BEGIN, -1);
        break;
      case EventNames.TASK_END:
        taskEvent(event, Kind.TASK_END, event.getLong("taskDuration"));
        break;
      case EventNames.REGION: {
        Detail detail = details.get(event.getLong("taskId"));
        if (detail != null) {
          detail.add(step(event, Kind.REGION, event.getDuration().toNanos(), EventFields.string(event, "regionType")));
        }
        break;
      }
      case EventNames.LOG: {
        Detail detail = details.get(event.getLong("taskId"));
        if (detail != null) {
          String text = EventFields.string(event, "category") + ": " + EventFields.string(event, "message");
          detail.add(step(event, Kind.LOG, 0, text));
        }
        break;
      }
      default:
        break;
    }
  }

  private void taskEvent(RecordedEvent event, Kind kind, long durationNanos) {
    long taskId = event.getLong("taskId");
    String type = EventFields.string(event, "taskType");
    Detail detail = details.get(taskId);
    if (detail != null) {
      detail.add(step(event, kind, 0, type));
    }
    Detail parent = details.get(event.getLong("parentId"));
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

  private Step step(RecordedEvent event, Kind kind, long durationNanos, String text) {
    RecordedThread thread = fields.thread(event);
    long threadId = thread == null ? 0 : EventFields.threadId(thread);
    String name = thread == null ? "?" : EventFields.threadName(thread);
    return new Step(kind, Timestamps.nanos(event.getStartTime()), durationNanos, threadId, name, text);
  }

  /** The details, in the order of the matches given. */
  public List<Detail> details() {
    return new ArrayList<>(details.values());
  }
}
