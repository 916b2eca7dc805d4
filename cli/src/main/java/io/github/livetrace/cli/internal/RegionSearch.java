package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The slowest region instances of a type whose duration is in a range: what {@code view} lists
 * for a bucket of a region type's histogram. A region is one JFR event with its duration, so
 * nothing spans chunks: memory holds the best {@code limit} regions. Chunks can be read on several
 * threads, a search each, {@linkplain #merge merged}; ties are broken by time, then thread, so the
 * result does not depend on which thread read which chunk.
 */
public final class RegionSearch implements JfrEventHandler {
  /**
   * A region that matched.
   *
   * @param taskKey the {@linkplain TaskKeys key} of the task it ran in; 0 for the background task
   * @param threadKey the {@linkplain TaskKeys key} of the thread it ran on
   * @param thread the thread's name at the time
   * @param beginNanos when it began, nanoseconds since the epoch
   * @param durationNanos how long it took
   */
  public record Match(long taskKey, long threadKey, String thread, long beginNanos, long durationNanos) {}

  static final Comparator<Match> SLOWEST_FIRST = Comparator.comparingLong(Match::durationNanos).reversed()
      .thenComparingLong(Match::beginNanos).thenComparingLong(Match::threadKey).thenComparingLong(Match::taskKey);

  private final String type;
  private final long minNanos;
  private final long maxNanos;
  private final int jvmFilter;
  private final int limit;
  private final int[] jvmOfChunk;
  private final PriorityQueue<Match> best = new PriorityQueue<>(SLOWEST_FIRST.reversed()); // fastest on top
  private long matches;
  private int jvm; // of the chunk being read

  /**
   * @param type the region type
   * @param minNanos only regions at least this long
   * @param maxNanos only regions at most this long
   * @param jvm only regions of this JVM's {@linkplain Fleet.Jvm#index() index}; -1 for any
   * @param limit how many to keep, slowest first
   * @param jvmOfChunk by chunk index, the JVM that wrote it ({@link Fleet.Part})
   */
  public RegionSearch(String type, long minNanos, long maxNanos, int jvm, int limit, int[] jvmOfChunk) {
    this.type = type;
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
    this.jvmFilter = jvm;
    this.limit = limit;
    this.jvmOfChunk = jvmOfChunk;
  }

  /** Searches every file of {@code fleet}, each on several threads. */
  public static RegionSearch of(Fleet fleet, String type, long minNanos, long maxNanos, int jvm, int limit)
      throws BadInputException, java.io.IOException {
    RegionSearch search = new RegionSearch(type, minNanos, maxNanos, jvm, limit, new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new RegionSearch(type, minNanos, maxNanos, jvm, limit, part.jvmOfChunk()),
          search::merge);
    }
    return search;
  }

  @Override
  public EventSelection select(JfrType eventType) {
    EventSelection selection = LivetraceEvents.select(eventType, false);
    return selection.tag() == LivetraceEvents.REGION ? selection : EventSelection.of(LivetraceEvents.OTHER);
  }

  @Override
  public void beginChunk(int index) {
    jvm = jvmOfChunk[index];
  }

  @Override
  public void event(JfrEvent event) {
    if (event.tag() != LivetraceEvents.REGION || jvmFilter >= 0 && jvm != jvmFilter) {
      return;
    }
    long duration = event.durationNanos();
    if (duration < minNanos || duration > maxNanos || !type.equals(event.string(LivetraceEvents.REGION_TYPE))) {
      return;
    }
    matches++;
    consider(match(event, jvm));
  }

  /** A region event of a chunk of {@code jvm} as a match: what {@link InstanceLists} keeps too. */
  static Match match(JfrEvent event, int jvm) {
    JfrThread thread = event.thread();
    return new Match(TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm),
        thread == null ? 0 : TaskKeys.key(thread.id(), jvm), thread == null ? "?" : thread.name(),
        event.startNanos(), event.durationNanos());
  }

  private void consider(Match match) {
    best.add(match);
    if (best.size() > limit) {
      best.poll();
    }
  }

  /** Adds the search of other chunks of the same trace. */
  public void merge(RegionSearch other) {
    other.best.forEach(this::consider);
    matches += other.matches;
  }

  /** Regions that matched, including those beyond the limit. */
  public long matches() {
    return matches;
  }

  /** The slowest matches, slowest first. */
  public List<Match> slowest() {
    List<Match> result = new ArrayList<>(best);
    result.sort(SLOWEST_FIRST);
    return result;
  }
}
