package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.ChunkHeader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * First pass of {@code tasks}: finds the slowest tasks that match a filter. Chunks can be read on
 * several threads, a search each, and the searches {@linkplain #merge merged}: the result is the
 * same whichever thread read which chunk.
 *
 * <p>What a task's events say is gathered per chunk: within a chunk, file order is not time
 * order, so a task's begin, end, regions and logs may come in any order. When the chunk has been
 * read, a task whose begin and end were both read is complete and is judged at once; the others
 * (those that span chunks, began before the trace or were still open at its end) are kept, and
 * completed by the chunks read later or by the other searches. A task's end holds its begin
 * (livetrace 0.2), so without a text filter the end alone completes it; with one, a task that
 * began in an earlier chunk waits for the other searches (its regions and logs may be theirs) and
 * is judged when all are merged. Memory holds the tasks of a chunk, the tasks that span chunks,
 * and the best {@code limit} candidates.
 *
 * <p>A task's duration is its {@code taskDuration}; a task still open when the trace ended is
 * measured up to the end of the trace and marked unfinished. A task whose type is unknown (it
 * began before the trace and did not end in it) is not listed.
 */
public final class TaskSearch implements JfrEventHandler {
  /**
   * What to look for.
   *
   * @param type only tasks of this type; null for any
   * @param minNanos only tasks at least this long
   * @param maxNanos only tasks at most this long
   * @param text only tasks whose type, region types, log categories or log messages contain this,
   *     ignoring case; null for any
   * @param limit how many to keep, slowest first
   * @param taskKey only the task of this {@linkplain TaskKeys key}; 0 for any
   * @param jvm only tasks of the JVM of this {@linkplain Fleet.Jvm#index() index}; -1 for any
   */
  public record Filter(String type, long minNanos, long maxNanos, String text, int limit, long taskKey, int jvm) {
    /** Tasks of any JVM. */
    public Filter(String type, long minNanos, long maxNanos, String text, int limit) {
      this(type, minNanos, maxNanos, text, limit, 0, -1);
    }

    /** This filter, for one task only. */
    public Filter withTask(long key) {
      return new Filter(type, minNanos, maxNanos, text, limit, key, jvm);
    }

    /** This filter, for the tasks of one JVM only; -1 for any. */
    public Filter withJvm(int index) {
      return new Filter(type, minNanos, maxNanos, text, limit, taskKey, index);
    }
  }

  /**
   * Searches every file of {@code fleet}, each on {@link TraceReader#decodingThreads()} threads;
   * ids are keyed by JVM, so the searches of several files add up as those of one. Call {@link
   * #finish()} for the matches.
   */
  public static TaskSearch of(Fleet fleet, Filter filter) throws BadInputException, java.io.IOException {
    return of(fleet, filter, part -> chunk -> true);
  }

  /** {@link #of(Fleet, Filter)} of the chunks that {@code wanted} accepts, by the part's index in the fleet. */
  static TaskSearch of(Fleet fleet, Filter filter, IntFunction<IntPredicate> wanted) throws BadInputException, java.io.IOException {
    TaskSearch search = new TaskSearch(fleet.endNanos(), List.of(), new int[0], filter);
    for (int p = 0; p < fleet.parts().size(); p++) {
      Fleet.Part part = fleet.parts().get(p);
      List<ChunkHeader> chunks = part.file().chunks();
      TaskSearch ofFile = new TaskSearch(fleet.endNanos(), chunks, part.jvmOfChunk(), filter);
      TraceReader.decode(part.file(), wanted.apply(p), () -> new TaskSearch(fleet.endNanos(), chunks, part.jvmOfChunk(), filter),
          ofFile::merge);
      search.merge(ofFile);
    }
    return search;
  }

  /**
   * A task that matched.
   *
   * @param taskId its {@linkplain TaskKeys key}: its JVM's id and the JVM
   * @param type its type
   * @param parentId the {@linkplain TaskKeys key} of the task it was created in; 0 for none
   * @param beginNanos when it began, nanoseconds since the epoch
   * @param begunInTrace whether its begin event is in the trace; if not, {@code beginNanos} is its
   *     end minus its duration
   * @param durationNanos how long it took, or for an unfinished one how long it had run
   * @param ended whether its end is in the trace
   */
  public record Match(
      long taskId,
      String type,
      long parentId,
      long beginNanos,
      boolean begunInTrace,
      long durationNanos,
      boolean ended) {}

  /** What the events read so far say of a task. */
  private static final class TaskState {
    String type;
    long parentId;
    long beginNanos; // when begun
    boolean begun;
    long endNanos; // when ended
    long durationNanos;
    boolean ended;
    boolean textFound;
    // Known from an end that holds its begin, in an earlier chunk: its regions and logs there may
    // be read by another search, so a text filter judges it only once all are merged (finish).
    boolean begunInEarlierChunk;

    boolean complete() {
      return begun && ended;
    }

    /** Adds what the events of other chunks say. */
    void add(TaskState other) {
      if (other.begun) {
        begun = true;
        beginNanos = other.beginNanos;
      }
      if (other.ended) {
        ended = true;
        endNanos = other.endNanos;
        durationNanos = other.durationNanos;
      }
      begunInEarlierChunk |= other.begunInEarlierChunk;
      if (type == null) {
        type = other.type;
        parentId = other.parentId;
      }
      textFound |= other.textFound;
    }
  }

  static final Comparator<Match> SLOWEST_FIRST =
      Comparator.comparingLong(Match::durationNanos).reversed().thenComparingLong(Match::taskId);

  private final Filter filter;
  private final long traceEndNanos;
  private LongMap<TaskState> chunkTasks = new LongMap<>(); // the tasks of the chunk being read
  private final LongMap<TaskState> spanning = new LongMap<>(); // tasks not complete in one chunk
  private final PriorityQueue<Match> best; // the fastest of the best on top, to be evicted first
  private long tasksSeen;
  private long matches;
  private int peakTasksHeld;
  private boolean finished;

  private final int[] jvmOfChunk;
  private final boolean[] endsRecording;
  private int jvm; // of the chunk being read
  private boolean lastChunk; // whether the chunk being read ends a recording: its open tasks count
  private final long[] chunkStartNanos; // by chunk index
  private long chunkStart; // of the chunk being read

  public TaskSearch(TraceFile file, Filter filter) {
    this(file.endNanos(), file.chunks(), new int[file.chunks().size()], filter);
  }

  /**
   * A search of one file of a {@link Fleet}, which {@link #merge} adds up with the others.
   *
   * @param traceEndNanos where unfinished tasks are measured to: the end of the whole trace
   * @param chunks the file's chunks, whose times tell where each recording ends
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  public TaskSearch(long traceEndNanos, List<ChunkHeader> chunks, int[] jvmOfChunk, Filter filter) {
    this.filter = filter;
    this.traceEndNanos = traceEndNanos;
    this.jvmOfChunk = jvmOfChunk;
    this.endsRecording = LivetraceEvents.endsOfRecordings(chunks, jvmOfChunk);
    this.chunkStartNanos = chunks.stream().mapToLong(ChunkHeader::startNanos).toArray();
    this.best = new PriorityQueue<>(SLOWEST_FIRST.reversed());
  }

  /** Regions and logs matter only to a text filter: without one, none of their fields is decoded. */
  @Override
  public EventSelection select(JfrType type) {
    EventSelection selection = LivetraceEvents.select(type, filter.text() != null);
    boolean needed = filter.text() != null || LivetraceEvents.isTaskEvent(selection.tag());
    return needed ? selection : EventSelection.of(LivetraceEvents.OTHER);
  }

  @Override
  public void beginChunk(int index) {
    endChunk();
    jvm = jvmOfChunk[index];
    lastChunk = endsRecording[index];
    chunkStart = chunkStartNanos[index];
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || tag == LivetraceEvents.MISUSE || tag == LivetraceEvents.OPEN_TASK && !lastChunk) {
      return;
    }
    long taskId = TaskKeys.key(event.longValue(LivetraceEvents.TASK_ID), jvm);
    if (taskId == 0) {
      return; // the background task
    }
    TaskState task = chunkTasks.get(taskId);
    if (task == null) {
      task = new TaskState();
      chunkTasks.put(taskId, task);
    }
    switch (tag) {
      case LivetraceEvents.TASK_BEGIN:
        task.begun = true;
        task.beginNanos = event.startNanos();
        task.type = event.string(LivetraceEvents.TASK_TYPE);
        task.parentId = TaskKeys.key(event.longValue(LivetraceEvents.PARENT_ID), jvm);
        break;
      case LivetraceEvents.TASK_END:
        task.ended = true;
        task.endNanos = event.endNanos();
        task.durationNanos = event.longValue(LivetraceEvents.TASK_DURATION);
        task.type = event.string(LivetraceEvents.TASK_TYPE);
        task.parentId = TaskKeys.key(event.longValue(LivetraceEvents.PARENT_ID), jvm);
        if (!LivetraceEvents.endHasBegin(event)) {
          task.begun = true;
          task.beginNanos = LivetraceEvents.beginNanos(event);
          task.begunInEarlierChunk = task.beginNanos < chunkStart;
        }
        break;
      case LivetraceEvents.OPEN_TASK: // open at the end, unless its end is in this chunk too
        if (!task.ended) {
          task.begun = true;
          task.beginNanos = LivetraceEvents.beginNanos(event);
          task.type = event.string(LivetraceEvents.TASK_TYPE);
          task.parentId = TaskKeys.key(event.longValue(LivetraceEvents.PARENT_ID), jvm);
        }
        break;
      case LivetraceEvents.REGION:
        task.textFound |= contains(event.string(LivetraceEvents.REGION_TYPE), filter.text());
        break;
      default: // a log
        task.textFound |= contains(event.string(LivetraceEvents.CATEGORY), filter.text())
            || contains(event.string(LivetraceEvents.MESSAGE), filter.text());
        break;
    }
  }

  /** Judges the tasks completed by the chunk read last; keeps the others. */
  private void endChunk() {
    peakTasksHeld = Math.max(peakTasksHeld, chunkTasks.size() + spanning.size());
    chunkTasks.forEach(this::add);
    chunkTasks = new LongMap<>();
  }

  /** Adds what some chunks say of a task to what others said; judges it once it is complete. */
  private void add(long taskId, TaskState task) {
    TaskState known = spanning.remove(taskId);
    if (known != null) {
      known.add(task);
      task = known;
    }
    if (task.complete() && (filter.text() == null || task.textFound || !task.begunInEarlierChunk)) {
      judge(taskId, task);
    } else {
      spanning.put(taskId, task);
    }
  }

  /**
   * Adds the search of other chunks of the same trace, as if their events had been read here:
   * their candidates, and their tasks that span chunks, completed with these.
   */
  public void merge(TaskSearch other) {
    if (finished || other.finished) {
      throw new IllegalStateException("a search that was finished can no longer be merged");
    }
    endChunk();
    other.endChunk();
    other.best.forEach(this::consider);
    tasksSeen += other.tasksSeen;
    matches += other.matches;
    peakTasksHeld = Math.max(peakTasksHeld, other.peakTasksHeld);
    other.spanning.forEach(this::add);
  }

  private void judge(long taskId, TaskState task) {
    if (task.type == null) {
      return; // only regions or logs of a task that began before the trace: no type, no duration
    }
    tasksSeen++;
    long duration = task.ended ? task.durationNanos : traceEndNanos - task.beginNanos;
    if (filter.taskKey() != 0 && filter.taskKey() != taskId || filter.jvm() >= 0 && filter.jvm() != TaskKeys.jvm(taskId)) {
      return;
    }
    if (filter.type() != null && !filter.type().equals(task.type)) {
      return;
    }
    if (duration < filter.minNanos() || duration > filter.maxNanos()) {
      return;
    }
    if (filter.text() != null && !task.textFound && !contains(task.type, filter.text())) {
      return;
    }
    matches++;
    long begin = task.begun ? task.beginNanos : task.endNanos - task.durationNanos;
    consider(new Match(taskId, task.type, task.parentId, begin, task.begun, duration, task.ended));
  }

  private void consider(Match match) {
    best.add(match);
    if (best.size() > filter.limit()) {
      best.poll();
    }
  }

  /** Judges the tasks left (those that did not end, or did not begin, in the trace); returns the matches, slowest first. */
  public List<Match> finish() {
    if (!finished) {
      endChunk();
      spanning.forEach(this::judge);
      finished = true;
    }
    List<Match> result = new ArrayList<>(best);
    result.sort(SLOWEST_FIRST);
    return result;
  }

  /** Tasks with a known type in the trace. */
  public long tasksSeen() {
    return tasksSeen;
  }

  /** The most tasks one search held at once: the tasks of a chunk and those that span chunks. */
  public int peakTasksHeld() {
    return peakTasksHeld;
  }

  /** Tasks that matched the filter, including those beyond the limit. */
  public long matches() {
    return matches;
  }

  /** Whether {@code text} contains {@code part}, ignoring case; false for a null text or part. */
  static boolean contains(String text, String part) {
    if (text == null || part == null) {
      return false;
    }
    int last = text.length() - part.length();
    for (int i = 0; i <= last; i++) {
      if (text.regionMatches(true, i, part, 0, part.length())) {
        return true;
      }
    }
    return false;
  }
}
