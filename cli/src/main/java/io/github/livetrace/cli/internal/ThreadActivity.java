package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrObject;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What some threads of one JVM did during a span of time, as {@code go tool trace} shows beside
 * a task: when they were blocked ({@code jdk.JavaMonitorEnter}, {@code jdk.ThreadPark}, sleeps,
 * socket and file I/O: the events of the block profile), where JFR's CPU samples ({@code
 * jdk.ExecutionSample}) found them, and the JVM's GC pauses ({@code jdk.GCPhasePause}, or {@code
 * jdk.GarbageCollection} when the trace has no pauses), which stop every thread. Only the chunks
 * around the span are read ({@link TraceReader#decode(TraceFile, int[], int, long, long,
 * JfrEventHandler)}); at most {@link #MAX_PER_KIND} events of each kind are kept, the earliest.
 */
public final class ThreadActivity implements JfrEventHandler {
  /** Events kept of each kind (blocked, samples, GC); the rest are counted. */
  public static final int MAX_PER_KIND = 10_000;

  /** The JDK events shown as blocked states: the timeline's ({@link ChromeTraceExport#BLOCKED_NAMES}). */
  private static final Map<String, String> BLOCKED_NAMES = ChromeTraceExport.BLOCKED_NAMES;

  // Tags and slots.
  private static final int OTHER = 0;
  private static final int BLOCKED = 1;
  private static final int SAMPLE = 2;
  private static final int GC_PAUSE = 3;
  private static final int GC = 4;

  /**
   * A stretch of time: a blocked state of a thread, or a GC pause of the JVM.
   *
   * @param threadId the thread's {@link JfrThread#id()}; 0 for a GC pause
   * @param event the JFR event type, such as {@code jdk.ThreadPark}
   * @param what what it says: "park java.util.concurrent.locks.ReentrantLock$NonfairSync",
   *     "sleep", "socket read example.org:443", a GC pause's name
   * @param startNanos when it began, nanoseconds since the epoch
   * @param endNanos when it ended
   */
  public record Interval(long threadId, String event, String what, long startNanos, long endNanos) {}

  /**
   * A CPU sample.
   *
   * @param threadId the sampled thread's {@link JfrThread#id()}
   * @param atNanos when, nanoseconds since the epoch
   * @param topFrame the method it was in, such as {@code Shop.brew:42}; "?" when the stack is unknown
   */
  public record Sample(long threadId, long atNanos, String topFrame) {}

  private final Set<Long> threadIds;
  private final long fromNanos;
  private final long toNanos;
  private final List<Interval> blocked = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Interval> pauses = new ArrayList<>();
  private final List<Interval> collections = new ArrayList<>();
  private long dropped;

  /**
   * @param threadIds the threads, by {@link JfrThread#id()}
   * @param fromNanos the span's start, nanoseconds since the epoch
   * @param toNanos its end
   */
  public ThreadActivity(Set<Long> threadIds, long fromNanos, long toNanos) {
    this.threadIds = Set.copyOf(threadIds);
    this.fromNanos = fromNanos;
    this.toNanos = toNanos;
  }

  /** What {@code threadIds} of JVM {@code jvm} of {@code fleet} did in {@code [fromNanos, toNanos]}. */
  public static ThreadActivity of(Fleet fleet, int jvm, Set<Long> threadIds, long fromNanos, long toNanos)
      throws BadInputException, IOException {
    ThreadActivity activity = new ThreadActivity(threadIds, fromNanos, toNanos);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), part.jvmOfChunk(), jvm, fromNanos, toNanos, activity);
    }
    return activity;
  }

  @Override
  public EventSelection select(JfrType type) {
    String name = type.name();
    if (BLOCKED_NAMES.containsKey(name)) {
      return new EventSelection(BLOCKED, ChromeTraceExport.BLOCKED_FIELDS, false);
    }
    switch (name) {
      case "jdk.ExecutionSample":
        return EventSelection.of(SAMPLE, "sampledThread").withStackTrace();
      case "jdk.GCPhasePause":
        return EventSelection.of(GC_PAUSE, "name");
      case "jdk.GarbageCollection":
        return EventSelection.of(GC, "name");
      default:
        return EventSelection.of(OTHER);
    }
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == OTHER) {
      return;
    }
    long start = event.startNanos();
    long end = event.endNanos();
    if (start > toNanos || end < fromNanos) {
      return;
    }
    switch (tag) {
      case BLOCKED: {
        JfrThread thread = event.thread();
        if (thread != null && threadIds.contains(thread.id())) {
          keep(blocked, new Interval(thread.id(), event.type().name(), ChromeTraceExport.blockedName(event), start, end));
        }
        break;
      }
      case SAMPLE: {
        JfrThread thread = event.thread(0);
        if (thread != null && threadIds.contains(thread.id())) {
          keep(samples, new Sample(thread.id(), start, topFrame(event.stackTrace())));
        }
        break;
      }
      case GC_PAUSE:
        keep(pauses, new Interval(0, event.type().name(), text(event.string(0), event.value(0)), start, end));
        break;
      default:
        keep(collections, new Interval(0, event.type().name(), text(event.string(0), event.value(0)), start, end));
        break;
    }
  }

  private <T> void keep(List<T> list, T item) {
    if (list.size() < MAX_PER_KIND) {
      list.add(item);
    } else {
      dropped++;
    }
  }

  /** A GC name, pooled ({@code jdk.types.GCName}) or a string. */
  private static String text(String string, JfrObject pooled) {
    if (string != null) {
      return string;
    }
    String name = pooled == null ? null : pooled.string("name");
    return name == null ? "GC" : name;
  }


  /** The top frame of a stack trace, as the timeline names it; "?" when the stack is unknown. */
  private static String topFrame(JfrObject stack) {
    List<Object> frames = stack == null ? List.of() : stack.array("frames");
    return frames.isEmpty() ? "?" : ChromeTraceExport.frame(frames.get(0));
  }

  /** The blocked states of the threads, by start time. */
  public List<Interval> blocked() {
    return sorted(blocked);
  }

  /** The CPU samples of the threads, by time. */
  public List<Sample> samples() {
    List<Sample> result = new ArrayList<>(samples);
    result.sort(Comparator.comparingLong(Sample::atNanos).thenComparingLong(Sample::threadId));
    return result;
  }

  /** The JVM's GC pauses ({@code jdk.GCPhasePause}), or its collections when the trace has no pauses. */
  public List<Interval> gcPauses() {
    return sorted(pauses.isEmpty() ? collections : pauses);
  }

  /** Events beyond {@link #MAX_PER_KIND}, not kept. */
  public long dropped() {
    return dropped;
  }

  private static List<Interval> sorted(List<Interval> intervals) {
    List<Interval> result = new ArrayList<>(intervals);
    result.sort(Comparator.comparingLong(Interval::startNanos).thenComparingLong(Interval::threadId));
    return result;
  }
}
