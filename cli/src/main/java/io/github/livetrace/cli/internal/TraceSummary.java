package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.EventNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;

/**
 * What {@code summary} reports, computed in one streaming pass: per task type and per region type
 * the count and the latency distribution, logs per category, and the shape of the trace.
 *
 * <p>Task latency is the {@code taskDuration} of each {@code livetrace.TaskEnd}, so no state is
 * needed to measure it. State is kept only to count tasks right: a task is counted once whether
 * both its begin and end are in the trace, only its end (it began before the trace; or its begin
 * is later in the same chunk, since file order is not time order), or only its begin (still open
 * when the trace ended). That takes the ids of open tasks, and of ends whose begin was not read.
 */
public final class TraceSummary implements TraceReader.Handler {
  /**
   * Types beyond this many are counted together as {@value #OTHER_TYPES}: task and region types
   * should be few, and a trace that has millions must not exhaust memory.
   */
  public static final int MAX_TYPES = 5_000;

  public static final String OTHER_TYPES = "(other types)";

  private static final int MAX_THREAD_OBJECTS = 4096;

  /** Count and latency of the tasks or regions of one type. */
  public static final class TypeStats {
    private final String type;
    private long count;
    private long completed;
    private final LatencyHistogram latency = new LatencyHistogram();

    TypeStats(String type) {
      this.type = type;
    }

    public String type() {
      return type;
    }

    /** Tasks seen (begun, ended, or both); regions seen. */
    public long count() {
      return count;
    }

    /** Tasks whose end is in the trace; for regions, equal to the count. */
    public long completed() {
      return completed;
    }

    /** Latencies of the completed ones. */
    public LatencyHistogram latency() {
      return latency;
    }
  }

  /** Events of one thread. */
  public record ThreadStats(long id, String name, long events, long annotations) {}

  /** Logs of one category. */
  public record LogStats(String category, long count) {}

  private final EventFields fields = new EventFields();
  private final Map<String, TypeStats> tasks = new HashMap<>();
  private final Map<String, TypeStats> regions = new HashMap<>();
  private final Map<String, long[]> logs = new HashMap<>();
  private final Map<Long, long[]> threadCounts = new HashMap<>(); // id -> {events, annotations}
  private final Map<Long, String> threadNames = new HashMap<>();
  private final Map<RecordedThread, long[]> threadsSeen = new IdentityHashMap<>();
  private final Map<Long, String> openTasks = new HashMap<>();
  private final Map<Long, String> endsWithoutBegin = new HashMap<>();
  private long events;
  private long annotationEvents;
  private long misuse;
  private long peakOpenTasks;
  private boolean finished;

  @Override
  public void event(RecordedEvent event) {
    events++;
    String name = event.getEventType().getName();
    boolean annotation = true;
    switch (name) {
      case EventNames.TASK_BEGIN:
        taskBegun(event.getLong("taskId"), EventFields.string(event, "taskType"));
        break;
      case EventNames.TASK_END:
        taskEnded(event.getLong("taskId"), EventFields.string(event, "taskType"), event.getLong("taskDuration"));
        break;
      case EventNames.REGION:
        TypeStats region = stats(regions, EventFields.string(event, "regionType"));
        region.count++;
        region.completed++;
        region.latency.record(event.getDuration().toNanos());
        break;
      case EventNames.LOG:
        logs.computeIfAbsent(bounded(logs, EventFields.string(event, "category")), c -> new long[1])[0]++;
        break;
      case EventNames.MISUSE:
        misuse++;
        break;
      default:
        annotation = false;
    }
    if (annotation) {
      annotationEvents++;
    }
    RecordedThread thread = fields.thread(event);
    if (thread != null) {
      long[] counts = countsOf(thread);
      counts[0]++;
      if (annotation) {
        counts[1]++;
      }
    }
  }

  /**
   * The counters of a thread. The parser hands out one object per thread and chunk, and reading
   * a thread's id costs more than the rest of the event, so counters are found by identity first.
   */
  private long[] countsOf(RecordedThread thread) {
    long[] counts = threadsSeen.get(thread);
    if (counts == null) {
      if (threadsSeen.size() >= MAX_THREAD_OBJECTS) {
        threadsSeen.clear(); // objects of earlier chunks
      }
      long id = EventFields.threadId(thread);
      counts = threadCounts.get(id);
      if (counts == null) {
        counts = new long[2];
        threadCounts.put(id, counts);
        threadNames.put(id, EventFields.threadName(thread));
      }
      threadsSeen.put(thread, counts);
    }
    return counts;
  }

  private void taskBegun(long id, String type) {
    stats(tasks, type).count++;
    if (endsWithoutBegin.remove(id) == null) {
      openTasks.put(id, type);
      peakOpenTasks = Math.max(peakOpenTasks, openTasks.size());
    }
  }

  private void taskEnded(long id, String type, long durationNanos) {
    TypeStats stats = stats(tasks, type);
    stats.completed++;
    stats.latency.record(durationNanos);
    if (openTasks.remove(id) == null) {
      endsWithoutBegin.put(id, type);
    }
  }

  /** Counts the tasks whose end was read but never their begin: they began before the trace. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    for (String type : endsWithoutBegin.values()) {
      stats(tasks, type).count++;
    }
  }

  /** Task types, most frequent first. */
  public List<TypeStats> tasks() {
    finish();
    return sorted(tasks);
  }

  /** Region types, most frequent first. */
  public List<TypeStats> regions() {
    finish();
    return sorted(regions);
  }

  /** Log categories, most frequent first. */
  public List<LogStats> logs() {
    List<LogStats> result = new ArrayList<>();
    logs.forEach((category, count) -> result.add(new LogStats(category, count[0])));
    result.sort(Comparator.comparingLong(LogStats::count).reversed().thenComparing(LogStats::category));
    return result;
  }

  /** Threads that wrote events, those with the most events first. */
  public List<ThreadStats> threads() {
    List<ThreadStats> result = new ArrayList<>();
    threadCounts.forEach((id, c) -> result.add(new ThreadStats(id, threadNames.get(id), c[0], c[1])));
    result.sort(Comparator.comparingLong(ThreadStats::events).reversed().thenComparingLong(ThreadStats::id));
    return result;
  }

  /** All events, JDK ones included. */
  public long events() {
    return events;
  }

  /** livetrace's own events: task begins and ends, regions, logs, misuse. */
  public long annotationEvents() {
    return annotationEvents;
  }

  /** {@code livetrace.Misuse} events: the annotation API was used wrongly. */
  public long misuse() {
    return misuse;
  }

  /** Tasks begun and not yet ended at one time, at most: the state the pass needed. */
  public long peakOpenTasks() {
    return peakOpenTasks;
  }

  private static TypeStats stats(Map<String, TypeStats> byType, String type) {
    return byType.computeIfAbsent(bounded(byType, type), TypeStats::new);
  }

  private static String bounded(Map<String, ?> byType, String type) {
    String key = type == null ? "" : type;
    return byType.size() >= MAX_TYPES && !byType.containsKey(key) ? OTHER_TYPES : key;
  }

  private static List<TypeStats> sorted(Map<String, TypeStats> byType) {
    List<TypeStats> result = new ArrayList<>(byType.values());
    result.sort(Comparator.comparingLong(TypeStats::count).reversed().thenComparing(TypeStats::type));
    return result;
  }
}
