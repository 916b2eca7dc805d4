package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The regions and logs of one thread that overlap a span of time: what a region's page shows
 * around it (the regions nested in it, the one it is nested in, its logs). At most {@link
 * #MAX_EVENTS} of each are kept, the earliest by time of reading; the chunks to read are the
 * caller's choice ({@link TraceReader#decode(TraceFile, int[], int, long, long, JfrEventHandler)}).
 */
final class ThreadRegions implements JfrEventHandler {
  /** Regions, and logs, kept. */
  static final int MAX_EVENTS = 1_000;

  /**
   * A region or a log on the thread.
   *
   * @param taskId the JVM's id of the task it belongs to; 0 for the background task
   * @param thread the thread's name at the time
   * @param startNanos when it began, nanoseconds since the epoch
   * @param durationNanos how long it took; 0 for a log
   * @param text the region type, or the log's category and message
   * @param region whether it is a region, not a log
   */
  record Event(long taskId, String thread, long startNanos, long durationNanos, String text, boolean region) {
    long endNanos() {
      return startNanos + durationNanos;
    }
  }

  /** Outer regions before the regions nested in them. */
  static final Comparator<Event> TIME_ORDER = Comparator.comparingLong(Event::startNanos)
      .thenComparing(Comparator.comparingLong(Event::durationNanos).reversed())
      .thenComparing(Event::text, Comparator.nullsFirst(Comparator.naturalOrder()));

  private final long threadId;
  private final long fromNanos;
  private final long toNanos;
  private final List<Event> events = new ArrayList<>();
  private long dropped;

  /**
   * @param threadId the thread's {@link JfrThread#id()}
   * @param fromNanos the span's start, nanoseconds since the epoch
   * @param toNanos its end
   */
  ThreadRegions(long threadId, long fromNanos, long toNanos) {
    this.threadId = threadId;
    this.fromNanos = fromNanos;
    this.toNanos = toNanos;
  }

  @Override
  public EventSelection select(JfrType type) {
    EventSelection selection = LivetraceEvents.select(type, true);
    int tag = selection.tag();
    return tag == LivetraceEvents.REGION || tag == LivetraceEvents.LOG ? selection : EventSelection.of(LivetraceEvents.OTHER);
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag != LivetraceEvents.REGION && tag != LivetraceEvents.LOG) {
      return;
    }
    JfrThread thread = event.thread();
    long start = event.startNanos();
    long end = event.endNanos();
    if (thread == null || thread.id() != threadId || start > toNanos || end < fromNanos) {
      return;
    }
    if (events.size() >= MAX_EVENTS) {
      dropped++;
      return;
    }
    boolean region = tag == LivetraceEvents.REGION;
    String text = region ? event.string(LivetraceEvents.REGION_TYPE)
        : event.string(LivetraceEvents.CATEGORY) + ": " + event.string(LivetraceEvents.MESSAGE);
    events.add(new Event(event.longValue(LivetraceEvents.TASK_ID), thread.name(), start, end - start, text, region));
  }

  /** The regions and logs, in time order, outer regions first. */
  List<Event> events() {
    List<Event> result = new ArrayList<>(events);
    result.sort(TIME_ORDER);
    return result;
  }

  /** Events beyond {@link #MAX_EVENTS}. */
  long dropped() {
    return dropped;
  }
}
