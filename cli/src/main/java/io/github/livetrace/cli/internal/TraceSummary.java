package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.EventNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code summary} reports, computed in one streaming pass: per task type and per region type
 * the count and the latency distribution, logs per category, and the shape of the trace.
 *
 * <p>It reads events with {@link io.github.livetrace.cli.internal.jfr.JfrDecoder}, which decodes
 * only the fields selected here: the types of tasks, regions and logs, task ids and durations,
 * and every event's thread. Everything else, log messages included, is skipped. Chunks can be
 * summarized on several threads, a summary each, and the summaries {@linkplain #merge merged}.
 *
 * <p>Task latency is the {@code taskDuration} of each {@code livetrace.TaskEnd}, so no state is
 * needed to measure it. State is kept only to count tasks right: a task is counted once whether
 * both its begin and end are in the trace, only its end (it began before the trace; or its begin
 * is later in the same chunk, since file order is not time order), or only its begin (still open
 * when the trace ended). That takes the ids of open tasks, and of ends whose begin was not read.
 * Task ids are unique, so which begin meets which end does not depend on the order chunks are
 * read in.
 */
public final class TraceSummary implements JfrEventHandler {
  /**
   * Types beyond this many are counted together as {@value #OTHER_TYPES}: task and region types
   * should be few, and a trace that has millions must not exhaust memory.
   */
  public static final int MAX_TYPES = 5_000;

  public static final String OTHER_TYPES = "(other types)";

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

    void add(TypeStats other) {
      count += other.count;
      completed += other.completed;
      latency.merge(other.latency);
    }
  }

  /** Events of one thread. */
  public record ThreadStats(long id, String name, long events, long annotations) {}

  /** Logs of one category. */
  public record LogStats(String category, long count) {}

  /** A thread's counts, and its name in the earliest chunk it was seen in. */
  private static final class ThreadEntry {
    String name;
    int firstChunk;
    long events;
    long annotations;

    ThreadEntry(String name, int firstChunk) {
      this.name = name;
      this.firstChunk = firstChunk;
    }
  }

  /**
   * Values per type, by name. Before the map, a small cache by identity: the decoder hands out the
   * same {@code String} for a type it reads again, and most events are of a handful of types.
   */
  private static final class ByType<V> {
    private static final int CACHED = 64; // a power of two

    private final Map<String, V> values = new HashMap<>();
    private final Function<String, V> create;
    private final String[] cachedTypes = new String[CACHED];
    private final Object[] cachedValues = new Object[CACHED];

    ByType(Function<String, V> create) {
      this.create = create;
    }

    @SuppressWarnings("unchecked")
    V get(String type) {
      if (type == null) {
        return lookup("");
      }
      int slot = type.hashCode() & (CACHED - 1);
      if (cachedTypes[slot] == type) {
        return (V) cachedValues[slot];
      }
      V value = lookup(type);
      cachedTypes[slot] = type;
      cachedValues[slot] = value;
      return value;
    }

    /** A type seen when {@value #MAX_TYPES} are known already counts as {@value #OTHER_TYPES}. */
    private V lookup(String type) {
      V value = values.get(type);
      if (value == null) {
        String key = values.size() >= MAX_TYPES ? OTHER_TYPES : type;
        value = values.computeIfAbsent(key, create);
      }
      return value;
    }

    Map<String, V> all() {
      return values;
    }
  }

  // Tags of the event types, and the slots of the fields selected for each.
  private static final int OTHER = 0;
  private static final int TASK_BEGIN = 1;
  private static final int TASK_END = 2;
  private static final int REGION = 3;
  private static final int LOG = 4;
  private static final int MISUSE = 5;
  private static final int TASK_ID = 0;
  private static final int TASK_TYPE = 1;
  private static final int TASK_DURATION = 2;
  private static final int REGION_TYPE = 0;
  private static final int LOG_CATEGORY = 0;

  /** Per tag: 1 for livetrace's own events. A table, so that counting them takes no test. */
  private static final int[] ANNOTATION = {0, 1, 1, 1, 1, 1};

  private final ByType<TypeStats> tasks = new ByType<>(TypeStats::new);
  private final ByType<TypeStats> regions = new ByType<>(TypeStats::new);
  private final ByType<long[]> logs = new ByType<>(category -> new long[1]);
  private final Map<Long, ThreadEntry> threads = new HashMap<>(); // by thread id
  private final LongMap<String> openTasks = new LongMap<>(); // task id -> type
  private final LongMap<String> endsWithoutBegin = new LongMap<>();
  // The chunk being read: events and livetrace events per thread number (JfrThread.index), and
  // the threads, added to `threads` when the chunk ends. An array by number rather than a map by
  // thread: no lookup per event.
  private int chunk;
  private long[] chunkCounts = new long[2 * 64];
  private JfrThread[] chunkThreads = new JfrThread[64];
  private long events;
  private long annotationEvents;
  private long misuse;
  private boolean finished;

  /** Threads are named as in the earliest chunk they are seen in. */
  @Override
  public void beginChunk(int index) {
    endChunk();
    chunk = index;
  }

  /** Adds the counts per thread of the chunk read last to those of the trace. */
  private void endChunk() {
    for (int t = 1; t < chunkThreads.length; t++) {
      JfrThread thread = chunkThreads[t];
      if (thread == null) {
        continue;
      }
      long id = EventFields.threadId(thread.javaThreadId(), thread.osThreadId());
      String name = EventFields.threadName(thread.javaName(), thread.osName(), id);
      ThreadEntry entry = threads.get(id);
      if (entry == null) {
        entry = new ThreadEntry(name, chunk);
        threads.put(id, entry);
      } else if (chunk < entry.firstChunk) { // chunks read out of file order
        entry.name = name;
        entry.firstChunk = chunk;
      }
      entry.events += chunkCounts[2 * t];
      entry.annotations += chunkCounts[2 * t + 1];
      chunkThreads[t] = null;
    }
    Arrays.fill(chunkCounts, 0);
  }

  @Override
  public EventSelection select(JfrType type) {
    switch (type.name()) {
      case EventNames.TASK_BEGIN:
        return EventSelection.of(TASK_BEGIN, "taskId", "taskType");
      case EventNames.TASK_END:
        return EventSelection.of(TASK_END, "taskId", "taskType", "taskDuration");
      case EventNames.REGION:
        return EventSelection.of(REGION, "regionType");
      case EventNames.LOG:
        return EventSelection.of(LOG, "category");
      case EventNames.MISUSE:
        return EventSelection.of(MISUSE);
      default:
        return EventSelection.of(OTHER);
    }
  }

  @Override
  public void event(JfrEvent event) {
    events++;
    int tag = event.tag();
    switch (tag) {
      case TASK_BEGIN:
        taskBegun(event.longValue(TASK_ID), event.string(TASK_TYPE));
        break;
      case TASK_END:
        taskEnded(event.longValue(TASK_ID), event.string(TASK_TYPE), event.longValue(TASK_DURATION));
        break;
      case REGION:
        TypeStats region = regions.get(event.string(REGION_TYPE));
        region.count++;
        region.completed++;
        region.latency.record(event.durationNanos());
        break;
      case LOG:
        logs.get(event.string(LOG_CATEGORY))[0]++;
        break;
      case MISUSE:
        misuse++;
        break;
      default:
        break;
    }
    int annotation = ANNOTATION[tag];
    annotationEvents += annotation;
    int t = event.threadIndex(); // 0 for events without a thread: counted, and never added up
    if (2 * t + 1 >= chunkCounts.length) {
      chunkCounts = Arrays.copyOf(chunkCounts, 4 * t + 2);
      chunkThreads = Arrays.copyOf(chunkThreads, 2 * t + 1);
    }
    chunkCounts[2 * t]++;
    chunkCounts[2 * t + 1] += annotation;
    if (chunkThreads[t] == null) {
      chunkThreads[t] = event.thread(); // null for number 0, which endChunk passes over
    }
  }

  private void taskBegun(long id, String type) {
    tasks.get(type).count++;
    if (endsWithoutBegin.remove(id) == null) {
      openTasks.put(id, type == null ? "" : type);
    }
  }

  private void taskEnded(long id, String type, long durationNanos) {
    TypeStats stats = tasks.get(type);
    stats.completed++;
    stats.latency.record(durationNanos);
    if (openTasks.remove(id) == null) {
      endsWithoutBegin.put(id, type == null ? "" : type);
    }
  }

  /**
   * Adds the summary of other chunks of the same trace, as if their events had been read here:
   * an end read there meets a begin read here, and the other way round, and a thread keeps the
   * name of the earlier chunk.
   */
  public void merge(TraceSummary other) {
    if (finished || other.finished) {
      throw new IllegalStateException("a summary that was reported can no longer be merged");
    }
    endChunk();
    other.endChunk();
    events += other.events;
    annotationEvents += other.annotationEvents;
    misuse += other.misuse;
    other.tasks.all().forEach((type, stats) -> tasks.get(type).add(stats));
    other.regions.all().forEach((type, stats) -> regions.get(type).add(stats));
    other.logs.all().forEach((category, count) -> logs.get(category)[0] += count[0]);
    other.threads.forEach((id, theirs) -> {
      ThreadEntry ours = threads.get(id);
      if (ours == null) {
        ours = new ThreadEntry(theirs.name, theirs.firstChunk);
        threads.put(id, ours);
      } else if (theirs.firstChunk < ours.firstChunk) {
        ours.name = theirs.name;
        ours.firstChunk = theirs.firstChunk;
      }
      ours.events += theirs.events;
      ours.annotations += theirs.annotations;
    });
    other.endsWithoutBegin.forEach((id, type) -> {
      if (openTasks.remove(id) == null) {
        endsWithoutBegin.put(id, type);
      }
    });
    other.openTasks.forEach((id, type) -> {
      if (endsWithoutBegin.remove(id) == null) {
        openTasks.put(id, type);
      }
    });
  }

  /** Counts the tasks whose end was read but never their begin: they began before the trace. */
  private void finish() {
    if (finished) {
      return;
    }
    endChunk();
    finished = true;
    endsWithoutBegin.forEach((id, type) -> tasks.get(type).count++);
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
    logs.all().forEach((category, count) -> result.add(new LogStats(category, count[0])));
    result.sort(Comparator.comparingLong(LogStats::count).reversed().thenComparing(LogStats::category));
    return result;
  }

  /** Threads that wrote events, those with the most events first. */
  public List<ThreadStats> threads() {
    finish();
    List<ThreadStats> result = new ArrayList<>();
    threads.forEach((id, t) -> result.add(new ThreadStats(id, t.name, t.events, t.annotations)));
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

  /**
   * Task ids held: tasks begun and not ended, and ends whose begin was not read. It follows the
   * number of tasks open at a time, not the length of the trace.
   */
  public int taskIdsHeld() {
    return openTasks.size() + endsWithoutBegin.size();
  }

  private static List<TypeStats> sorted(ByType<TypeStats> byType) {
    List<TypeStats> result = new ArrayList<>(byType.all().values());
    result.sort(Comparator.comparingLong(TypeStats::count).reversed().thenComparing(TypeStats::type));
    return result;
  }
}
