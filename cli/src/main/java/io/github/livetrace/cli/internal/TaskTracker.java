package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.ChunkHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Per-task state while reading a trace chunk by chunk in time order, kept only as long as a task
 * can still receive events: memory follows the number of tasks open at a time, not the length of
 * the trace.
 *
 * <p>Within a chunk, file order is not time order: JFR writes each thread's buffer as a whole, so
 * the region a pool thread ran for a task may be read after the task's end, which the main thread
 * wrote, or even before its begin. Across chunks time moves forward, since every thread's buffer
 * is written out when a chunk ends ({@link TraceReader} hands chunks over in time order, whatever
 * their order in the file). Hence:
 *
 * <ul>
 *   <li>a task is open from its begin until its end has been read and the reader is past the
 *       chunk that holds the end, which it knows from an event that ends after that chunk (plus
 *       {@link #STRADDLE_NANOS} for the few events written just across a chunk boundary); then
 *       its state is retired;
 *   <li>a region or log of a task not (yet) known gets provisional state, for a task whose begin
 *       comes later in the same chunk or that began before the trace. Unless a begin or end of
 *       the task claims it, it is dropped silently once its chunk has been read, so that a stray
 *       region, long after its task ended, cannot pin state forever.
 * </ul>
 *
 * @param <S> what the caller keeps per task
 */
public final class TaskTracker<S> {
  /**
   * How far an event's time may lie across the boundary of the chunk it is written in: as far as
   * a thread can be preempted between taking the time and writing the event, a matter of
   * milliseconds.
   */
  static final long STRADDLE_NANOS = 20_000_000L;

  /** Told when the state of a task whose begin or end was read is dropped. */
  @FunctionalInterface
  public interface RetireListener<S> {
    /**
     * @param taskId the task
     * @param state its state
     * @param ended whether its end was read; false for tasks still open when the trace ended
     */
    void retired(long taskId, S state, boolean ended);
  }

  private static final class Entry<S> {
    final long taskId;
    final S state;
    boolean begun;
    boolean ended;
    int retireAfterChunk = NEVER; // while open: never

    Entry(long taskId, S state) {
      this.taskId = taskId;
      this.state = state;
    }

    boolean known() {
      return begun || ended;
    }
  }

  private static final int NEVER = -1;

  private final long[] chunkEnds; // sorted
  private final LongFunction<S> newState;
  private final RetireListener<S> listener;
  private final LongMap<Entry<S>> live = new LongMap<>();
  /** Per chunk (by end): the entries to retire once it has been read; stale ones are skipped. */
  private final List<List<Entry<S>>> due = new ArrayList<>();
  private int nextDue; // the first chunk whose entries are not retired yet
  private long readUpToNanos = Long.MIN_VALUE;
  private int peakLive;

  /**
   * @param chunks the trace's chunks, whose ends tell when a chunk has been read completely
   * @param newState creates the state of a task seen for the first time
   * @param listener told when the state of a known task is dropped
   */
  public TaskTracker(List<ChunkHeader> chunks, LongFunction<S> newState, RetireListener<S> listener) {
    this.chunkEnds = chunks.stream().mapToLong(ChunkHeader::endNanos).sorted().toArray();
    this.newState = newState;
    this.listener = listener;
    for (int i = 0; i < chunkEnds.length; i++) {
      due.add(new ArrayList<>());
    }
  }

  /**
   * Call with the end time of every event before handling it: retires the tasks whose chunk has
   * been read completely.
   */
  public void advance(long eventEndNanos) {
    if (eventEndNanos <= readUpToNanos) {
      return;
    }
    readUpToNanos = eventEndNanos;
    while (nextDue < chunkEnds.length && chunkEnds[nextDue] + STRADDLE_NANOS < readUpToNanos) {
      List<Entry<S>> entries = due.get(nextDue);
      for (Entry<S> entry : entries) {
        if (entry.retireAfterChunk != nextDue || live.get(entry.taskId) != entry) {
          continue;
        }
        live.remove(entry.taskId);
        if (entry.known()) {
          listener.retired(entry.taskId, entry.state, entry.ended);
        }
      }
      entries.clear();
      nextDue++;
    }
  }

  /** The state of a task whose begin event was read. */
  public S begun(long taskId) {
    Entry<S> entry = entry(taskId);
    if (!entry.begun && !entry.ended) {
      entry.retireAfterChunk = NEVER; // a provisional entry, claimed: open now
    }
    entry.begun = true;
    return entry.state;
  }

  /**
   * The state of a task whose end event was read at {@code endNanos}; it is retired once the
   * chunk that holds the end has been read. Null when an end of the task was read already.
   */
  public S ended(long taskId, long endNanos) {
    Entry<S> entry = entry(taskId);
    if (entry.ended) {
      return null;
    }
    entry.ended = true;
    plan(entry, endNanos);
    return entry.state;
  }

  /**
   * The state of the task of a region or log at {@code atNanos}: known, or provisional (see the
   * class comment); null for the background task 0.
   */
  public S touched(long taskId, long atNanos) {
    if (taskId == 0) {
      return null;
    }
    Entry<S> entry = live.get(taskId);
    if (entry == null) {
      entry = entry(taskId);
      plan(entry, atNanos);
    }
    return entry.state;
  }

  /** At the end of the trace: retires every known task left, ended ones first, in id order. */
  public void finish() {
    List<Entry<S>> left = new ArrayList<>();
    live.forEach((id, entry) -> {
      if (entry.known()) {
        left.add(entry);
      }
    });
    left.sort(Comparator.comparing((Entry<S> e) -> !e.ended).thenComparingLong(e -> e.taskId));
    due.forEach(List::clear);
    for (Entry<S> entry : left) {
      live.remove(entry.taskId);
      listener.retired(entry.taskId, entry.state, entry.ended);
    }
  }

  /** The most tasks that had state at once: what the memory bound depends on. */
  public int peakLiveTasks() {
    return peakLive;
  }

  private Entry<S> entry(long taskId) {
    Entry<S> entry = live.get(taskId);
    if (entry == null) {
      entry = new Entry<>(taskId, newState.apply(taskId));
      live.put(taskId, entry);
      peakLive = Math.max(peakLive, live.size());
    }
    return entry;
  }

  /**
   * Plans to retire {@code entry} once the reader is surely past the chunk of {@code nanos}; a
   * chunk already passed retires it with the next one.
   */
  private void plan(Entry<S> entry, long nanos) {
    int i = Arrays.binarySearch(chunkEnds, nanos + STRADDLE_NANOS);
    int chunk = Math.max(nextDue, i >= 0 ? i : -i - 1);
    entry.retireAfterChunk = chunk < chunkEnds.length ? chunk : NEVER;
    if (entry.retireAfterChunk != NEVER) {
      due.get(chunk).add(entry);
    }
  }
}
