package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.ChunkHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * What {@code view} lists for a bucket of a type's histogram, kept from one pass: per task or
 * region type, JVM and bucket (log-scale, {@code perDecade} a power of ten, the histogram's own),
 * the exact number of instances and the {@code limit} slowest. A list of a range made of whole
 * buckets is then the slowest of those buckets' slowest, which is what {@link TaskSearch} and
 * {@link RegionSearch} find by reading the whole trace again: same instances, same order, same
 * count. A range that cuts a bucket, or a trace these lists cannot answer for, gets {@code null},
 * and the caller reads the trace as before.
 *
 * <p>Tasks are answered only for traces where every task's end holds its begin (livetrace 0.2 on,
 * with no overflow of the open-task table): a {@code TaskBegin} anywhere makes the task lists
 * unusable, since pairing begins and ends is {@code TaskSearch}'s job. Tasks still open when a
 * recording ended are taken from its last chunk's {@code OpenTask} events, less those whose end is
 * in that chunk too, and measured to the end of the trace, as {@code TaskSearch} measures them.
 *
 * <p>Memory: at most {@value #MAX_KEPT} instances in all (about 80 bytes each); a trace that would
 * need more keeps none, and every list is read from the trace.
 */
public final class InstanceLists implements JfrEventHandler {
  /** The most instances kept, over all types, JVMs and buckets. */
  static final int MAX_KEPT = 250_000;

  /** A list's answer: how many instances the range holds, and the slowest, slowest first. */
  public record Answer<M>(long matches, List<M> slowest) {}

  private final long[] bounds;
  private final int limit;
  private final long traceEndNanos;
  private final int[] jvmOfChunk;
  private final boolean[] endsRecording;
  private final Lists<TaskSearch.Match> tasks;
  private final Lists<RegionSearch.Match> regions;
  private boolean tasksUsable = true;
  private int jvm; // of the chunk being read
  private boolean lastChunk; // whether the chunk being read ends a recording
  private LongMap<TaskSearch.Match> openInLastChunk = new LongMap<>(); // its OpenTask events, by task key
  private LongMap<Boolean> endedInLastChunk = new LongMap<>();

  /**
   * The lists of one file of a fleet, to be {@linkplain #merge merged} with the others'.
   *
   * @param perDecade buckets per power of ten, as {@link TraceSummary.TypeStats#buckets(int)}
   * @param limit instances kept per bucket: the most a list shows
   * @param traceEndNanos where unfinished tasks are measured to: the end of the whole trace
   * @param chunks the file's chunks, whose times tell where each recording ends
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  InstanceLists(int perDecade, int limit, long traceEndNanos, List<ChunkHeader> chunks,
      int[] jvmOfChunk) {
    this.bounds = TraceSummary.logBounds(perDecade);
    this.limit = limit;
    this.traceEndNanos = traceEndNanos;
    this.jvmOfChunk = jvmOfChunk;
    this.endsRecording = LivetraceEvents.endsOfRecordings(chunks, jvmOfChunk);
    this.tasks = new Lists<>(TaskSearch.Match::durationNanos, TaskSearch.SLOWEST_FIRST);
    this.regions = new Lists<>(RegionSearch.Match::durationNanos, RegionSearch.SLOWEST_FIRST);
  }

  /** Reads every file of {@code fleet} once, each on several threads. */
  public static InstanceLists of(Fleet fleet, int perDecade, int limit) throws BadInputException, java.io.IOException {
    InstanceLists lists = new InstanceLists(perDecade, limit, fleet.endNanos(), List.of(), new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      List<ChunkHeader> chunks = part.file().chunks();
      TraceReader.decode(part.file(),
          () -> new InstanceLists(perDecade, limit, fleet.endNanos(), chunks, part.jvmOfChunk()), lists::merge);
    }
    return lists;
  }

  @Override
  public EventSelection select(JfrType type) {
    EventSelection selection = LivetraceEvents.select(type, false);
    int tag = selection.tag();
    return tag == LivetraceEvents.REGION || LivetraceEvents.isTaskEvent(tag) ? selection
        : EventSelection.of(LivetraceEvents.OTHER);
  }

  @Override
  public void beginChunk(int index) {
    endChunk();
    jvm = jvmOfChunk[index];
    lastChunk = endsRecording[index];
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.REGION) {
      regions.add(event.string(LivetraceEvents.REGION_TYPE), jvm, RegionSearch.match(event, jvm));
      return;
    }
    if (tag == LivetraceEvents.TASK_BEGIN) {
      tasksUsable = false;
      return;
    }
    if (tag != LivetraceEvents.TASK_END && !(tag == LivetraceEvents.OPEN_TASK && lastChunk) || !tasksUsable) {
      return;
    }
    long key = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    if (key == 0) {
      return; // the background task
    }
    if (tag == LivetraceEvents.TASK_END && LivetraceEvents.endHasBegin(event)) {
      tasksUsable = false; // its begin is an event of its own: TaskSearch pairs them
      return;
    }
    String type = event.string(LivetraceEvents.TASK_TYPE);
    if (type == null) {
      return; // TaskSearch judges no task without a type
    }
    long begin = LivetraceEvents.beginNanos(event);
    long parent = TaskKeys.key(event.longValue(LivetraceEvents.PARENT_ID), jvm);
    if (tag == LivetraceEvents.TASK_END) {
      long duration = event.longValue(LivetraceEvents.TASK_DURATION);
      tasks.add(type, jvm, new TaskSearch.Match(key, type, parent, begin, true, duration, true));
      if (lastChunk) {
        endedInLastChunk.put(key, Boolean.TRUE);
      }
    } else {
      openInLastChunk.put(key, new TaskSearch.Match(key, type, parent, begin, true, traceEndNanos - begin, false));
    }
  }

  /** Adds the tasks the chunk read last says were open at a recording's end, less those it ended. */
  private void endChunk() {
    if (openInLastChunk.size() > 0) {
      openInLastChunk.forEach((key, open) -> {
        if (endedInLastChunk.get(key) == null && tasksUsable) {
          tasks.add(open.type(), TaskKeys.jvm(key), open);
        }
      });
      openInLastChunk = new LongMap<>();
    }
    if (endedInLastChunk.size() > 0) {
      endedInLastChunk = new LongMap<>();
    }
  }

  /** Adds the lists of other chunks; chunks are read whole by one handler, so nothing spans two. */
  public void merge(InstanceLists other) {
    endChunk();
    other.endChunk();
    tasksUsable &= other.tasksUsable;
    tasks.merge(other.tasks);
    regions.merge(other.regions);
  }

  /**
   * The tasks of {@code type} whose duration is in {@code [minNanos, maxNanos]}, as {@link
   * TaskSearch} finds them with that filter and {@code limit}; null where these lists cannot tell.
   *
   * @param jvm the JVM's index; -1 for any
   */
  public Answer<TaskSearch.Match> tasks(String type, int jvm, long minNanos, long maxNanos) {
    endChunk();
    return tasksUsable ? tasks.answer(type, jvm, minNanos, maxNanos) : null;
  }

  /** The regions of {@code type} in that range, as {@link RegionSearch} finds them; null where these lists cannot tell. */
  public Answer<RegionSearch.Match> regions(String type, int jvm, long minNanos, long maxNanos) {
    endChunk();
    return regions.answer(type, jvm, minNanos, maxNanos);
  }

  /** Per type and JVM, per bucket: the count and the slowest; shared by tasks and regions. */
  private final class Lists<M> {
    private final ToLongFunction<M> duration;
    private final Comparator<M> slowestFirst;
    private final Map<String, Map<Integer, Bucket<M>>> byType = new HashMap<>(); // type -> bucket*jvms+jvm
    private long kept;
    private boolean overflowed;

    Lists(ToLongFunction<M> duration, Comparator<M> slowestFirst) {
      this.duration = duration;
      this.slowestFirst = slowestFirst;
    }

    void add(String type, int jvm, M instance) {
      if (overflowed || type == null) {
        return;
      }
      long nanos = duration.applyAsLong(instance);
      int cell = TraceSummary.bucketOf(bounds, nanos) * TaskKeys.MAX_JVMS + jvm;
      Bucket<M> bucket = byType.computeIfAbsent(type, t -> new HashMap<>())
          .computeIfAbsent(cell, c -> new Bucket<>(slowestFirst));
      bucket.count++;
      if (bucket.slowest.size() < limit) {
        bucket.slowest.add(instance);
        if (++kept > MAX_KEPT) {
          overflowed = true;
          byType.clear();
        }
      } else if (slowestFirst.compare(instance, bucket.slowest.peek()) < 0) {
        bucket.slowest.poll();
        bucket.slowest.add(instance);
      }
    }

    void merge(Lists<M> other) {
      overflowed |= other.overflowed;
      if (overflowed) {
        byType.clear();
        return;
      }
      other.byType.forEach((type, cells) -> cells.forEach((cell, theirs) -> {
        Bucket<M> ours = byType.computeIfAbsent(type, t -> new HashMap<>()).get(cell);
        if (ours == null) {
          byType.get(type).put(cell, theirs);
          kept += theirs.slowest.size();
        } else {
          ours.count += theirs.count;
          kept -= ours.slowest.size();
          theirs.slowest.forEach(m -> {
            ours.slowest.add(m);
            if (ours.slowest.size() > limit) {
              ours.slowest.poll();
            }
          });
          kept += ours.slowest.size();
        }
      }));
      if (kept > MAX_KEPT) {
        overflowed = true;
        byType.clear();
      }
    }

    Answer<M> answer(String type, int jvm, long minNanos, long maxNanos) {
      if (overflowed || !startsBucket(minNanos) || !endsBucket(maxNanos)) {
        return null;
      }
      long matches = 0;
      List<M> candidates = new ArrayList<>();
      for (Map.Entry<Integer, Bucket<M>> e : byType.getOrDefault(type, Map.of()).entrySet()) {
        int cell = e.getKey();
        int b = cell / TaskKeys.MAX_JVMS;
        long from = b == 0 ? 0 : bounds[b];
        if ((jvm < 0 || cell % TaskKeys.MAX_JVMS == jvm) && from >= minNanos && from <= maxNanos) {
          matches += e.getValue().count;
          candidates.addAll(e.getValue().slowest);
        }
      }
      candidates.sort(slowestFirst);
      return new Answer<>(matches, List.copyOf(candidates.subList(0, Math.min(limit, candidates.size()))));
    }
  }

  /** Counted and best instances of one cell; the fastest of the best on top, to be evicted first. */
  private static final class Bucket<M> {
    long count;
    final PriorityQueue<M> slowest;

    Bucket(Comparator<M> slowestFirst) {
      slowest = new PriorityQueue<>(slowestFirst.reversed());
    }
  }

  /** Whether a range from {@code minNanos} takes whole buckets: none, or from a bucket's first value. */
  private boolean startsBucket(long minNanos) {
    return minNanos <= 0 || minNanos > 1 && Arrays.binarySearch(bounds, minNanos) > 0;
  }

  /** Whether a range up to {@code maxNanos} takes whole buckets: to a bucket's last value, or all. */
  private boolean endsBucket(long maxNanos) {
    return maxNanos == Long.MAX_VALUE || Arrays.binarySearch(bounds, maxNanos + 1) > 0;
  }
}
