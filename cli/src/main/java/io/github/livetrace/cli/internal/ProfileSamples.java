package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrObject;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.StackProfile;
import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import io.github.livetrace.internal.pprof.StackProfile.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A profile of the trace's own samples, as {@code pprof} reads them from a trace but with
 * livetrace's decoder and restricted: to a span of time, and to the spans of some tasks on each
 * thread ({@link TaskSpans}). The result is a {@link StackProfile}, which {@link
 * io.github.livetrace.internal.pprof.FlameGraphs} draws. Memory: one entry per distinct stack.
 * Chunks can be read on several threads, a profile each, {@linkplain #merge merged}.
 */
final class ProfileSamples implements JfrEventHandler {
  /** What a profile is made of. */
  enum Kind {
    /** Where threads ran Java code: {@code jdk.ExecutionSample}, a sample each. */
    CPU("cpu", "CPU samples (jdk.ExecutionSample)", List.of("jdk.ExecutionSample")),
    /** What allocated: {@code jdk.ObjectAllocationSample}, by its weight in bytes. */
    ALLOC("alloc", "Allocations (jdk.ObjectAllocationSample): bytes", List.of("jdk.ObjectAllocationSample")),
    /** Where threads were blocked, and on what: the block profile's events ({@link ProfileKind#BLOCK}), by their duration. */
    BLOCK("block", "Blocking (monitors, parks, sleeps, socket and file I/O): delay", ProfileKind.BLOCK.events());

    final String param;
    final String title;
    final List<String> events;

    Kind(String param, String title, List<String> events) {
      this.param = param;
      this.title = title;
      this.events = events;
    }

    /** The kind a request names, or null. */
    static Kind of(String param) {
      for (Kind kind : values()) {
        if (kind.param.equals(param.toLowerCase(Locale.ROOT))) {
          return kind;
        }
      }
      return null;
    }
  }

  private static final int SAMPLE = 1;
  private static final ValueType SAMPLES = new ValueType("samples", "count");

  private final Kind kind;
  private final long fromNanos;
  private final long toNanos;
  private final LongMap<long[]> spansByThread; // null: every thread, all the time
  private final int[] jvmOfChunk;
  private final StackProfile profile;
  private final Map<Frame, Frame> frames = new HashMap<>(); // interned: most stacks share frames
  private int jvm;

  /**
   * @param fromNanos only samples at or after this, nanoseconds since the epoch
   * @param toNanos only samples at or before this
   * @param spansByThread by {@linkplain TaskKeys thread key}, the spans of the tasks asked for
   *     ({@link TaskSpans#byThread()}); null for all samples of all threads
   * @param jvmOfChunk by chunk index, the JVM that wrote it
   */
  ProfileSamples(Kind kind, String title, long fromNanos, long toNanos, LongMap<long[]> spansByThread, int[] jvmOfChunk) {
    this.kind = kind;
    this.fromNanos = fromNanos;
    this.toNanos = toNanos;
    this.spansByThread = spansByThread;
    this.jvmOfChunk = jvmOfChunk;
    switch (kind) {
      case CPU:
        profile = new StackProfile(title, List.of(SAMPLES), null, 0);
        break;
      case ALLOC:
        profile = new StackProfile(title, List.of(SAMPLES, new ValueType("alloc_space", "bytes")), null, 0);
        profile.setLeafLabels(List.of("objectClass"));
        break;
      default:
        profile = new StackProfile(title, List.of(new ValueType("contentions", "count"), new ValueType("delay", "nanoseconds")), null, 0);
        profile.setLeafLabels(List.of("monitorClass", "parkedClass"));
    }
    profile.setTime(fromNanos, toNanos - fromNanos);
  }

  @Override
  public EventSelection select(JfrType type) {
    if (!kind.events.contains(type.name())) {
      return EventSelection.of(0);
    }
    switch (kind) {
      case CPU:
        return EventSelection.of(SAMPLE, "sampledThread").withStackTrace();
      case ALLOC:
        return EventSelection.of(SAMPLE, "objectClass", "weight").withStackTrace();
      default:
        return EventSelection.of(SAMPLE, "monitorClass", "parkedClass").withStackTrace();
    }
  }

  @Override
  public void beginChunk(int index) {
    jvm = jvmOfChunk[index];
  }

  @Override
  public void event(JfrEvent event) {
    if (event.tag() != SAMPLE) {
      return;
    }
    JfrThread thread = kind == Kind.CPU ? event.thread(0) : event.thread();
    long at = event.startNanos();
    if (thread == null || at < fromNanos || at > toNanos) {
      return;
    }
    if (spansByThread != null) {
      long[] spans = spansByThread.get(TaskKeys.key(thread.id(), jvm));
      if (spans == null || !TaskSpans.contains(spans, at)) {
        return;
      }
    }
    List<Frame> stack = stack(event.stackTrace());
    switch (kind) {
      case CPU:
        profile.add(stack, Map.of(), 1);
        break;
      case ALLOC:
        profile.add(stack, label("objectClass", event.value(0)), 1, event.longValue(1));
        break;
      default: {
        Map<String, String> labels = new TreeMap<>(label(event.has(0) ? "monitorClass" : "parkedClass", event.value(event.has(0) ? 0 : 1)));
        labels.put("event", event.type().name());
        profile.add(stack, labels, 1, event.durationNanos());
      }
    }
  }

  private static Map<String, String> label(String key, JfrObject type) {
    String name = JfrObject.className(type);
    return name.isEmpty() ? Map.of() : Map.of(key, name);
  }

  /** The frames, leaf first, as {@code pprof} names them: {@code package.Class.method}. */
  private List<Frame> stack(JfrObject trace) {
    List<Object> recorded = trace == null ? List.of() : trace.array("frames");
    List<Frame> stack = new ArrayList<>(recorded.size());
    for (Object value : recorded) {
      JfrObject frame = value instanceof JfrObject ? (JfrObject) value : null;
      JfrObject method = frame == null ? null : frame.object("method");
      JfrObject name = method == null ? null : method.object("name");
      String function = method == null ? "unknown" : JfrObject.className(method.object("type")) + "." + (name == null ? "?" : name.string("string"));
      JfrObject type = frame == null ? null : frame.object("type");
      FrameKind frameKind = type != null && "Native".equals(type.string("description")) ? FrameKind.NATIVE : FrameKind.JAVA;
      Frame f = new Frame(function, "", (int) Math.max(0, frame == null ? 0 : frame.longValue("lineNumber", 0)), frameKind);
      stack.add(frames.computeIfAbsent(f, x -> x));
    }
    return stack;
  }

  /** Adds the samples read from other chunks. */
  void merge(ProfileSamples other) {
    other.profile.samples().forEach((key, values) -> profile.add(key.stack(), key.labels(), values));
  }

  StackProfile profile() {
    return profile;
  }
}
