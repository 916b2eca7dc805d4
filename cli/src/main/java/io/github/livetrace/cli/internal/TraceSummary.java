package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.internal.ChunkHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What {@code summary} reports, computed in one streaming pass: per task type and per region type
 * the count and the latency distribution, logs per category, and the shape of the trace.
 *
 * <p>It reads events with {@link io.github.livetrace.cli.internal.jfr.JfrDecoder}, which decodes
 * only the fields selected here: the types of tasks, regions and logs, task ids and durations,
 * and every event's thread. Everything else, log messages included, is skipped. Chunks can be
 * summarized on several threads, a summary each, and the summaries {@linkplain #merge merged}:
 * the result is the same whichever thread read which chunk, and the same as one pass.
 *
 * <p>Task latency is the {@code taskDuration} of each {@code livetrace.TaskEnd}, so no state is
 * needed to measure it. State is kept only to count tasks right: a task is counted once whether
 * both its begin and end are in the trace, only its end (it began before the trace; or its begin
 * is later in the same chunk, since file order is not time order), or only its begin (still open
 * when the trace ended). That takes the ids of open tasks, and of ends whose begin was not read.
 * Task ids are unique, so which begin meets which end does not depend on the order chunks are
 * read in.
 *
 * <p>Latencies go into HdrHistograms with {@value #SIGNIFICANT_DIGITS} significant digits: a
 * percentile is within {@value #RELATIVE_ERROR_PERCENT}% of the exact value; count, minimum,
 * maximum and mean are exact. Histograms add up exactly, whatever the order.
 */
public final class TraceSummary implements JfrEventHandler {
  /**
   * Types beyond this many are counted together as {@value #OTHER_TYPES}: task and region types
   * should be few, and a trace that has millions must not exhaust memory. Which types keep a row
   * is decided by the type alone (the smallest by {@link #RANK}), not by the order they are read
   * in: every read of a file, on any number of threads, gives the same rows, and the begin and
   * end of a task always count in the same row.
   */
  public static final int MAX_TYPES = 5_000;

  public static final String OTHER_TYPES = "(other types)";

  /** Significant decimal digits of the latency histograms. */
  public static final int SIGNIFICANT_DIGITS = 2;

  /**
   * Bound of the relative error of a reported percentile, in percent: two significant digits make
   * 128 buckets per power of two, each at most 1/128 of its lower bound wide.
   */
  public static final double RELATIVE_ERROR_PERCENT = 0.79;

  /** Buckets per power of ten of {@code view}'s histograms, counted exactly: {@link TypeStats#buckets}. */
  public static final int CHART_BUCKETS_PER_DECADE = 4;

  private static final long[] CHART_BOUNDS = logBounds(CHART_BUCKETS_PER_DECADE);

  /** The order that decides which types keep a row: by hash, then by name; stable across runs. */
  static final Comparator<String> RANK = Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder());

  /**
   * Count and latency of the tasks or regions of one type. The first {@value #EXACT_VALUES}
   * latencies are kept as they are, and a histogram made only for more: a trace with thousands
   * of types has few values of most, and a histogram costs kilobytes.
   */
  public static final class TypeStats {
    static final int EXACT_VALUES = 64;

    private final String type;
    private long count;
    private long completed;
    private long[] values = new long[4]; // the latencies while there are few
    private Histogram latency; // once there are more
    // With the histogram: exact counts per bucket of the view's chart, whose bars link to lists of
    // exact ranges; the histogram's own buckets straddle those bounds.
    private long[] chartCounts;
    private long min = Long.MAX_VALUE;
    private long max;
    private long sum;

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

    /** Smallest latency; 0 when none. */
    public long min() {
      return completed == 0 ? 0 : min;
    }

    /** Largest latency; 0 when none. */
    public long max() {
      return max;
    }

    /** Mean latency, exact but for rounding down; 0 when none. */
    public long mean() {
      return completed == 0 ? 0 : sum / completed;
    }

    /**
     * The nearest-rank percentile (p50 of n values is the value of rank ceil(0.5 n)): exact for
     * up to {@value #EXACT_VALUES} values, else within {@link #RELATIVE_ERROR_PERCENT}%, and never
     * outside the smallest and largest value.
     *
     * @param fraction 0.5 for the median, 0.99 for p99; 0 when there are no values
     */
    public long percentile(double fraction) {
      if (completed == 0) {
        return 0;
      }
      if (latency == null) {
        long[] sorted = Arrays.copyOf(values, (int) completed);
        Arrays.sort(sorted);
        return sorted[(int) Math.max(1, Math.ceil(fraction * completed)) - 1];
      }
      return Math.max(min, Math.min(max, latency.getValueAtPercentile(100 * fraction)));
    }

    /**
     * Counts per decade ([1us, 10us), [10us, 100us), ...), from the smallest to the largest
     * non-empty one: the compact view Go's trace pages show. A histogram bucket that straddles a
     * decade boundary is counted where its middle falls.
     */
    public List<Bucket> decades() {
      List<Bucket> result = new ArrayList<>();
      if (completed == 0) {
        return result;
      }
      int lowest = decadeOf(min);
      int highest = decadeOf(max);
      long[] perDecade = new long[highest - lowest + 1];
      if (latency == null) {
        for (int i = 0; i < completed; i++) {
          perDecade[decadeOf(values[i]) - lowest]++;
        }
      } else {
        for (HistogramIterationValue bucket : latency.recordedValues()) {
          long middle = latency.medianEquivalentValue(bucket.getValueIteratedTo());
          int decade = Math.max(lowest, Math.min(highest, decadeOf(middle)));
          perDecade[decade - lowest] += bucket.getCountAddedInThisIterationStep();
        }
      }
      for (int i = 0; i < perDecade.length; i++) {
        int decade = lowest + i;
        result.add(new Bucket(decade == 0 ? 0 : pow10(decade), pow10(decade + 1), perDecade[i]));
      }
      return result;
    }

    /**
     * Counts in log-scale buckets of {@code perDecade} per power of ten (bounds 10^(i/perDecade)
     * ns, rounded to whole nanoseconds), from the first bucket that holds a latency to the last,
     * empty ones between included: what a histogram chart draws. Exact for up to {@value
     * #EXACT_VALUES} values, and for {@link #CHART_BUCKETS_PER_DECADE} per decade (counted as the
     * values come); otherwise a histogram bucket that straddles a bound is counted where its
     * middle falls, so a value within {@link #RELATIVE_ERROR_PERCENT}% of a bound may be counted
     * in the bucket beside its own. The counts add up to {@link #completed()}.
     *
     * @param perDecade 1 to 20
     */
    public List<Bucket> buckets(int perDecade) {
      if (perDecade < 1 || perDecade > 20) {
        throw new IllegalArgumentException("perDecade must be 1 to 20, was " + perDecade);
      }
      List<Bucket> result = new ArrayList<>();
      if (completed == 0) {
        return result;
      }
      long[] bounds = logBounds(perDecade);
      int lowest = bucketOf(bounds, min);
      int highest = bucketOf(bounds, max);
      long[] counts = new long[highest - lowest + 1];
      if (perDecade == CHART_BUCKETS_PER_DECADE && latency != null) {
        System.arraycopy(chartCounts, lowest, counts, 0, counts.length);
      } else if (latency == null) {
        for (int i = 0; i < completed; i++) {
          counts[bucketOf(bounds, values[i]) - lowest]++;
        }
      } else {
        for (HistogramIterationValue bucket : latency.recordedValues()) {
          long middle = latency.medianEquivalentValue(bucket.getValueIteratedTo());
          int b = Math.max(lowest, Math.min(highest, bucketOf(bounds, middle)));
          counts[b - lowest] += bucket.getCountAddedInThisIterationStep();
        }
      }
      // The smallest and largest values may have been counted in the bucket beside theirs (above):
      // the chart starts and ends with a bucket that holds something.
      int first = 0;
      int last = counts.length - 1;
      while (first < last && counts[first] == 0) {
        first++;
      }
      while (last > first && counts[last] == 0) {
        last--;
      }
      for (int i = first; i <= last; i++) {
        int b = lowest + i;
        result.add(new Bucket(b == 0 ? 0 : bounds[b], b + 1 < bounds.length ? bounds[b + 1] : Long.MAX_VALUE, counts[i]));
      }
      return result;
    }

    void record(long nanos) {
      long v = Math.max(0, nanos);
      if (latency != null) {
        latency.recordValue(v);
        chartCounts[bucketOf(CHART_BOUNDS, v)]++;
      } else if (completed < EXACT_VALUES) {
        if (completed == values.length) {
          values = Arrays.copyOf(values, 2 * values.length);
        }
        values[(int) completed] = v;
      } else {
        toHistogram();
        latency.recordValue(v);
        chartCounts[bucketOf(CHART_BOUNDS, v)]++;
      }
      completed++;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum = sum + v < 0 ? Long.MAX_VALUE : sum + v; // saturates instead of overflowing
    }

    private void toHistogram() {
      latency = new Histogram(SIGNIFICANT_DIGITS);
      chartCounts = new long[CHART_BOUNDS.length];
      for (int i = 0; i < completed; i++) {
        latency.recordValue(values[i]);
        chartCounts[bucketOf(CHART_BOUNDS, values[i])]++;
      }
      values = null;
    }

    void add(TypeStats other) {
      count += other.count;
      if (other.latency == null) {
        for (int i = 0; i < other.completed; i++) {
          record(other.values[i]);
        }
        return;
      }
      if (latency == null) {
        toHistogram();
      }
      latency.add(other.latency);
      for (int i = 0; i < chartCounts.length; i++) {
        chartCounts[i] += other.chartCounts[i];
      }
      completed += other.completed;
      min = Math.min(min, other.min);
      max = Math.max(max, other.max);
      sum = sum + other.sum < 0 ? Long.MAX_VALUE : sum + other.sum;
    }
  }

  /**
   * Latencies in {@code [fromNanos, toNanos)}.
   *
   * @param fromNanos inclusive lower bound
   * @param toNanos exclusive upper bound
   * @param count how many values fell in it
   */
  public record Bucket(long fromNanos, long toNanos, long count) {}

  /** Bounds 10^(i/perDecade), strictly increasing, up to what a long holds. */
  static long[] logBounds(int perDecade) {
    List<Long> bounds = new ArrayList<>();
    for (int i = 0; ; i++) {
      double bound = Math.pow(10, (double) i / perDecade);
      if (bound >= Long.MAX_VALUE) {
        break;
      }
      long rounded = Math.round(bound);
      if (bounds.isEmpty() || rounded > bounds.get(bounds.size() - 1)) {
        bounds.add(rounded);
      }
    }
    return bounds.stream().mapToLong(Long::longValue).toArray();
  }

  /** The index of the bucket [bounds[i], bounds[i + 1]) that holds {@code v}; 0 below bounds[1]. */
  static int bucketOf(long[] bounds, long v) {
    int i = java.util.Arrays.binarySearch(bounds, v);
    return Math.max(0, i >= 0 ? i : -i - 2);
  }

  /** 0 for values below 10, 1 for [10, 100), and so on. */
  private static int decadeOf(long v) {
    int decade = 0;
    for (long bound = 10; v >= bound && decade < 18; bound *= 10) {
      decade++;
    }
    return decade;
  }

  private static long pow10(int exponent) {
    long p = 1;
    for (int i = 0; i < exponent && i < 19; i++) {
      p = i == 18 ? Long.MAX_VALUE : p * 10;
    }
    return p;
  }

  /**
   * Events of one thread.
   *
   * @param name its name in the latest chunk that has it
   * @param earlierNames the names it had before, when it was renamed during the trace
   */
  public record ThreadStats(long id, String name, List<String> earlierNames, long events, long annotations, int jvm) {}

  /** Logs of one category. */
  public static final class LogStats {
    private final String category;
    private long count;

    LogStats(String category) {
      this.category = category;
    }

    public String category() {
      return category;
    }

    public long count() {
      return count;
    }
  }

  /** A thread's counts, and each of its names with the start of the earliest chunk that has it. */
  private static final class ThreadEntry {
    final Map<String, Long> names = new HashMap<>();
    long events;
    long annotations;

    void named(String name, long chunkStartNanos) {
      names.merge(name, chunkStartNanos, Math::min);
    }

    /** Names in time order; equal times (one chunk) by name, so that the order is stable. */
    List<String> namesInOrder() {
      List<String> result = new ArrayList<>(names.keySet());
      result.sort(Comparator.comparing((String n) -> names.get(n)).thenComparing(Comparator.naturalOrder()));
      return result;
    }
  }

  /**
   * Values per type, by name, for at most {@value #MAX_TYPES} types, the rest in one value for
   * {@value #OTHER_TYPES}. Before the map, a small cache by identity: the decoder hands out the
   * same {@code String} for a type it reads again, and most events are of a handful of types.
   */
  private static final class ByType<V> {
    private static final int CACHED = 64; // a power of two

    private final Map<String, V> values = new HashMap<>();
    private final TreeSet<String> kept = new TreeSet<>(RANK);
    private final Function<String, V> create;
    private final BiConsumer<V, V> addTo;
    private final V other;
    private boolean anyOther;
    private final String[] cachedTypes = new String[CACHED];
    private final Object[] cachedValues = new Object[CACHED];

    ByType(Function<String, V> create, BiConsumer<V, V> addTo) {
      this.create = create;
      this.addTo = addTo;
      this.other = create.apply(OTHER_TYPES);
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

    /**
     * The value of a type, or {@link #other} for a type that ranks after {@value #MAX_TYPES}
     * others. A type that ranks before the last one kept takes its place, and the last one's
     * values go to {@link #other}: once a type is out, it never comes back, since the types it
     * ranks after are in the trace.
     */
    private V lookup(String type) {
      V value = values.get(type);
      if (value != null) {
        return value;
      }
      if (kept.size() >= MAX_TYPES) {
        String last = kept.last();
        if (RANK.compare(type, last) > 0) {
          anyOther = true;
          return other;
        }
        kept.remove(last);
        addTo.accept(values.remove(last), other);
        anyOther = true;
        Arrays.fill(cachedTypes, null);
        Arrays.fill(cachedValues, null);
      }
      value = create.apply(type);
      values.put(type, value);
      kept.add(type);
      return value;
    }

    /** Adds {@code theirs} to these values, as if read here. */
    void merge(ByType<V> theirs) {
      theirs.values.forEach((type, value) -> addTo.accept(value, lookup(type)));
      if (theirs.anyOther) {
        addTo.accept(theirs.other, other);
        anyOther = true;
      }
    }

    /** Every value, {@value #OTHER_TYPES} included when something went there. */
    Collection<V> all() {
      List<V> all = new ArrayList<>(values.values());
      if (anyOther) {
        all.add(other);
      }
      return all;
    }
  }

  // Tags of the event types, and the slots of the fields selected for each.
  private static final int OTHER = 0;
  private static final int TASK_BEGIN = 1;
  private static final int TASK_END = 2;
  private static final int REGION = 3;
  private static final int LOG = 4;
  private static final int MISUSE = 5;
  private static final int OPEN_TASK = 6;
  private static final int TASK_ID = 0;
  private static final int TASK_TYPE = 1;
  private static final int TASK_DURATION = 2;
  private static final int BEGIN_EVENT = 3;
  private static final int REGION_TYPE = 0;
  private static final int LOG_CATEGORY = 0;

  /** Per tag: 1 for livetrace's own events. A table, so that counting them takes no test. */
  private static final int[] ANNOTATION = {0, 1, 1, 1, 1, 1, 1};

  private final ByType<TypeStats> tasks = new ByType<>(TypeStats::new, (from, to) -> to.add(from));
  private final ByType<TypeStats> regions = new ByType<>(TypeStats::new, (from, to) -> to.add(from));
  private final ByType<LogStats> logs = new ByType<>(category -> new LogStats(category), (from, to) -> to.count += from.count);
  private final long[] chunkStarts; // by chunk index
  private final int[] jvmOfChunk; // by chunk index: the JVM that wrote it (Fleet)
  private final List<ByType<TypeStats>> tasksByJvm = new ArrayList<>(); // by JVM, when there are several
  private final Map<Long, ThreadEntry> threads = new HashMap<>(); // by jvmKey(thread id)
  private final LongMap<String> openTasks = new LongMap<>(); // jvmKey(task id) -> type
  private final LongMap<String> endsWithoutBegin = new LongMap<>();
  // What the last chunk of a JVM says was open at the end (see LivetraceEvents), less the tasks
  // whose end is in that chunk too: an end and the chunk's list of open tasks can cross.
  private final boolean[] endsRecording; // by chunk index: whether it ends a recording
  private final LongMap<String> openAtEnd = new LongMap<>(); // jvmKey(task id) -> type
  private LongMap<Boolean> endedInLastChunk = new LongMap<>();
  private int jvm; // of the chunk being read
  // The chunk being read: events and livetrace events per thread number (JfrThread.index), and
  // the threads, added to `threads` when the chunk ends. An array by number rather than a map by
  // thread: no lookup per event.
  private int chunk;
  private long[] chunkCounts = new long[2 * 64];
  private JfrThread[] chunkThreads = new JfrThread[64];
  private long events;
  private final long[] eventsByJvm; // by JVM index
  private long annotationEvents;
  private long misuse;
  private boolean finished;
  private final int part; // the file's index in its fleet
  private final TaskIndex taskIndex;

  /** @param chunks the trace's chunks, whose start times tell when a thread had a name */
  public TraceSummary(List<ChunkHeader> chunks) {
    this(chunks, new int[chunks.size()], 1);
  }

  /**
   * A summary of one file of a {@link Fleet}, which {@link #merge} adds up with the others.
   *
   * @param jvmOfChunk by chunk index, the JVM that wrote it ({@link Fleet.Part})
   * @param jvms how many JVMs the fleet has (at most {@value #MAX_JVMS}); with more than one, task
   *     types are also kept per JVM
   */
  public TraceSummary(List<ChunkHeader> chunks, int[] jvmOfChunk, int jvms) {
    this(chunks, jvmOfChunk, jvms, 0);
  }

  /**
   * A summary of the {@code part}-th file of a {@link Fleet}, whose {@linkplain #taskIndex() task
   * index} is kept apart from the other files'.
   */
  TraceSummary(List<ChunkHeader> chunks, int[] jvmOfChunk, int jvms, int part) {
    if (jvms > MAX_JVMS) {
      throw new IllegalArgumentException("at most " + MAX_JVMS + " JVMs are summarized together, not " + jvms);
    }
    this.chunkStarts = chunks.stream().mapToLong(ChunkHeader::startNanos).toArray();
    this.jvmOfChunk = jvmOfChunk;
    this.endsRecording = LivetraceEvents.endsOfRecordings(chunks, jvmOfChunk);
    this.eventsByJvm = new long[Math.max(1, jvms)];
    this.part = part;
    this.taskIndex = new TaskIndex(part, chunks.size());
    for (int i = 0; i < jvms && jvms > 1; i++) {
      tasksByJvm.add(new ByType<>(TypeStats::new, (from, to) -> to.add(from)));
    }
  }

  /**
   * Reads every file of {@code fleet} once, each on {@link TraceReader#decodingThreads()} threads,
   * into one summary keyed by JVM: what {@code summary}, {@code pull} and {@code view} show.
   */
  public static TraceSummary of(Fleet fleet) throws BadInputException, java.io.IOException {
    int jvms = fleet.jvms().size();
    TraceSummary summary = null;
    for (int p = 0; p < fleet.parts().size(); p++) {
      Fleet.Part part = fleet.parts().get(p);
      int index = p;
      List<ChunkHeader> chunks = part.file().chunks();
      TraceSummary ofFile = new TraceSummary(chunks, part.jvmOfChunk(), jvms, index);
      TraceReader.decode(part.file(), () -> new TraceSummary(chunks, part.jvmOfChunk(), jvms, index), ofFile::merge);
      if (summary == null) {
        summary = ofFile;
      } else {
        summary.merge(ofFile);
      }
    }
    if (summary != null) {
      summary.taskIndex.completed();
    }
    return summary;
  }

  /** The most JVMs one summary keys apart. */
  public static final int MAX_JVMS = TaskKeys.MAX_JVMS;

  /** Ids are per JVM: keys of tasks and threads carry the JVM ({@link TaskKeys}). */
  private long jvmKey(long id) {
    return TaskKeys.key(id, jvm);
  }

  @Override
  public void beginChunk(int index) {
    endChunk();
    chunk = index;
    jvm = jvmOfChunk[index];
  }

  /** Adds the counts per thread of the chunk read last to those of the trace. */
  private void endChunk() {
    if (endedInLastChunk.size() > 0) {
      endedInLastChunk = new LongMap<>();
    }
    for (int t = 1; t < chunkThreads.length; t++) {
      JfrThread thread = chunkThreads[t];
      if (thread == null) {
        continue;
      }
      ThreadEntry entry = threads.computeIfAbsent(jvmKey(thread.id()), id -> new ThreadEntry());
      entry.named(thread.name(), chunkStarts[chunk]);
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
        return EventSelection.of(TASK_END, "taskId", "taskType", "taskDuration", "beginEvent");
      case EventNames.OPEN_TASK:
        return EventSelection.of(OPEN_TASK, "taskId", "taskType");
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
    eventsByJvm[jvm]++;
    int tag = event.tag();
    switch (tag) {
      case TASK_BEGIN:
        taskIndex.record(part, chunk, event.longValue(TASK_ID), true);
        taskBegun(event.longValue(TASK_ID), event.string(TASK_TYPE));
        break;
      case TASK_END:
        taskIndex.record(part, chunk, event.longValue(TASK_ID), true);
        if (LivetraceEvents.endHasBegin(event, BEGIN_EVENT)) {
          taskEnded(event.longValue(TASK_ID), event.string(TASK_TYPE), event.longValue(TASK_DURATION));
        } else {
          wholeTask(event.longValue(TASK_ID), event.string(TASK_TYPE), event.longValue(TASK_DURATION));
        }
        break;
      case OPEN_TASK:
        taskIndex.record(part, chunk, event.longValue(TASK_ID), endsRecording[chunk]);
        if (endsRecording[chunk]) {
          long key = jvmKey(event.longValue(TASK_ID));
          if (endedInLastChunk.get(key) == null) {
            String type = event.string(TASK_TYPE);
            openAtEnd.put(key, type == null ? "" : type);
          }
        }
        break;
      case REGION:
        TypeStats region = regions.get(event.string(REGION_TYPE));
        region.count++;
        region.record(event.durationNanos());
        break;
      case LOG:
        logs.get(event.string(LOG_CATEGORY)).count++;
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
    if (!tasksByJvm.isEmpty()) {
      tasksByJvm.get(jvm).get(type).count++;
    }
    long key = jvmKey(id);
    if (endsWithoutBegin.remove(key) == null) {
      openTasks.put(key, type == null ? "" : type);
    }
  }

  /** A task whose end is all of it: counted and measured at once, and kept nowhere. */
  private void wholeTask(long id, String type, long durationNanos) {
    TypeStats stats = tasks.get(type);
    stats.count++;
    stats.record(durationNanos);
    if (!tasksByJvm.isEmpty()) {
      TypeStats ofJvm = tasksByJvm.get(jvm).get(type);
      ofJvm.count++;
      ofJvm.record(durationNanos);
    }
    if (endsRecording[chunk]) {
      long key = jvmKey(id);
      endedInLastChunk.put(key, Boolean.TRUE);
      openAtEnd.remove(key);
    }
  }

  private void taskEnded(long id, String type, long durationNanos) {
    tasks.get(type).record(durationNanos);
    if (!tasksByJvm.isEmpty()) {
      tasksByJvm.get(jvm).get(type).record(durationNanos);
    }
    long key = jvmKey(id);
    if (openTasks.remove(key) == null) {
      endsWithoutBegin.put(key, type == null ? "" : type);
    }
  }

  /**
   * Adds the summary of other chunks of the same trace, as if their events had been read here:
   * an end read there meets a begin read here, and the other way round, and a thread keeps every
   * name it had. The {@linkplain #taskIndex() task index} merges chunk by chunk for the same file
   * and keeps other files apart.
   */
  public void merge(TraceSummary other) {
    if (finished || other.finished) {
      throw new IllegalStateException("a summary that was reported can no longer be merged");
    }
    endChunk();
    other.endChunk();
    events += other.events;
    for (int j = 0; j < eventsByJvm.length; j++) {
      eventsByJvm[j] += other.eventsByJvm[j];
    }
    annotationEvents += other.annotationEvents;
    misuse += other.misuse;
    tasks.merge(other.tasks);
    for (int j = 0; j < tasksByJvm.size(); j++) {
      tasksByJvm.get(j).merge(other.tasksByJvm.get(j));
    }
    regions.merge(other.regions);
    logs.merge(other.logs);
    other.threads.forEach((id, theirs) -> {
      ThreadEntry ours = threads.computeIfAbsent(id, i -> new ThreadEntry());
      theirs.names.forEach(ours::named);
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
    other.openAtEnd.forEach(openAtEnd::put);
    taskIndex.merge(other.taskIndex);
  }

  /** Counts the tasks whose end was read but never their begin: they began before the trace. */
  private void finish() {
    if (finished) {
      return;
    }
    endChunk();
    finished = true;
    endsWithoutBegin.forEach(this::countOnly);
    openAtEnd.forEach(this::countOnly);
  }

  /** Counts a task without measuring it: its end was measured where it was read, or it never ended. */
  private void countOnly(long key, String type) {
    tasks.get(type).count++;
    if (!tasksByJvm.isEmpty()) {
      tasksByJvm.get(TaskKeys.jvm(key)).get(type).count++;
    }
  }

  /**
   * Per chunk of each file, the range of its task ids: complete ({@link TaskIndex#covers}) only
   * in a summary made by {@link #of(Fleet)}, whose files are numbered as the fleet's parts.
   */
  public TaskIndex taskIndex() {
    return taskIndex;
  }

  /** With several JVMs, each JVM's task types (by {@link Fleet.Jvm#index()}); empty with one. */
  public List<List<TypeStats>> tasksByJvm() {
    finish();
    return tasksByJvm.stream().map(TraceSummary::sorted).toList();
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
    List<LogStats> result = new ArrayList<>(logs.all());
    result.sort(Comparator.comparingLong(LogStats::count).reversed().thenComparing(LogStats::category));
    return result;
  }

  /** Threads that wrote events, those with the most events first. */
  public List<ThreadStats> threads() {
    finish();
    List<ThreadStats> result = new ArrayList<>();
    threads.forEach((key, t) -> {
      List<String> names = t.namesInOrder();
      String name = names.get(names.size() - 1);
      result.add(new ThreadStats(TaskKeys.id(key), name, List.copyOf(names.subList(0, names.size() - 1)), t.events, t.annotations,
          TaskKeys.jvm(key)));
    });
    result.sort(Comparator.comparingLong(ThreadStats::events).reversed().thenComparingLong(ThreadStats::id));
    return result;
  }

  /** All events, JDK ones included. */
  public long events() {
    return events;
  }

  /** All events written by the JVM of that {@linkplain Fleet.Jvm#index() index}. */
  public long events(int jvm) {
    return eventsByJvm[jvm];
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
   * Task ids held: tasks begun and not ended, ends whose begin was not read, tasks open at the end,
   * and the ends of the last chunk. It follows the number of tasks open at a time and the size of
   * a chunk, not the length of the trace.
   */
  public int taskIdsHeld() {
    return openTasks.size() + endsWithoutBegin.size() + openAtEnd.size() + endedInLastChunk.size();
  }

  private static List<TypeStats> sorted(ByType<TypeStats> byType) {
    List<TypeStats> result = new ArrayList<>(byType.all());
    result.sort(Comparator.comparingLong(TypeStats::count).reversed().thenComparing(TypeStats::type));
    return result;
  }
}
