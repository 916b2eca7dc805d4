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
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Profiles of the trace's own samples, as {@code pprof} reads them from a trace but with
 * livetrace's decoder and restricted: to a span of time, and to the spans of some tasks on each
 * thread ({@link TaskSpans}). One reading makes the profiles of several {@linkplain Kind kinds} at
 * once, and, given the spans of every task type ({@link TypeSpans}), each type's profile besides
 * (for {@link TraceProfiles}). The results are {@link StackProfile}s, which {@link
 * io.github.livetrace.internal.pprof.FlameGraphs} draws. Memory: one entry per distinct stack and
 * labels, per profile. Chunks can be read on several threads, profiles each, {@linkplain #merge
 * merged}.
 */
final class ProfileSamples implements JfrEventHandler {
  /** What a profile is made of. */
  enum Kind {
    /** Where threads ran Java code: {@code jdk.ExecutionSample}, a sample each. */
    CPU("cpu", "CPU samples (jdk.ExecutionSample)", List.of("jdk.ExecutionSample"), null),
    /** What allocated: {@code jdk.ObjectAllocationSample}, by its weight in bytes. */
    ALLOC("alloc", "Allocations (jdk.ObjectAllocationSample): bytes", List.of("jdk.ObjectAllocationSample"), null),
    /**
     * Lock contention, the servlet's {@code /debug/pprof/mutex} read from the trace ({@link
     * ProfileKind#MUTEX}: {@code jdk.JavaMonitorEnter} and the {@code jdk.ThreadPark} events that
     * acquire a lock), by delay.
     */
    MUTEX("mutex", "Lock contention (jdk.JavaMonitorEnter, jdk.ThreadPark acquiring a lock): delay", ProfileKind.MUTEX),
    /** Where threads were blocked, and on what: the block profile's events ({@link ProfileKind#BLOCK}), by their duration. */
    BLOCK("block", "Blocking (monitors, parks, sleeps, socket and file I/O): delay", ProfileKind.BLOCK);

    final String param;
    final String title;
    final List<String> events;
    private final ProfileKind shared; // the servlet's definition, when the kind is one of its profiles

    Kind(String param, String title, List<String> events, ProfileKind shared) {
      this.param = param;
      this.title = title;
      this.events = events;
      this.shared = shared;
    }

    Kind(String param, String title, ProfileKind shared) {
      this(param, title, shared.events(), shared);
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

    /** Whether an event of that type and stack is one of this kind's: as the servlet's profile decides. */
    boolean takes(String event, List<Frame> stack) {
      return shared == null ? events.contains(event) : shared.takes(event, stack);
    }

    /** Whether the profile counts blocking events, by delay, rather than samples. */
    boolean blocking() {
      return shared != null;
    }
  }

  /** Per task type, per thread: when a task of the type was current there ({@link TaskSpans#byType()}). */
  record TypeSpans(List<String> types, LongMap<List<TypeSpan>> byThread) {}

  /** The spans of one type on one thread: {@code [start, end, start, end...]}, as {@link TaskSpans#byThread()}. */
  record TypeSpan(int type, long[] spans) {}

  /**
   * Stacks kept across the profiles of all types (each about 150 bytes and 4 a frame); a reading
   * that would keep more keeps none ({@link #typesOverflowed()}).
   */
  static final int MAX_TYPE_STACKS = 200_000;

  private static final int CPU_SAMPLE = 1;
  private static final int ALLOC_SAMPLE = 2;
  private static final int BLOCKING = 3;
  private static final ValueType SAMPLES = new ValueType("samples", "count");

  private final Set<Kind> kinds;
  private final long fromNanos;
  private final long toNanos;
  private final LongMap<long[]> spansByThread; // null: every thread, all the time
  private final int[] jvmOfChunk;
  private final Map<Kind, StackProfile> profiles = new EnumMap<>(Kind.class);
  private final TypeSpans typeSpans; // null: no profiles by type
  private final Map<Kind, StackProfile[]> byType = new EnumMap<>(Kind.class);
  private Runnable chunkBegun = () -> {};
  private int typeStacks;
  private int[] currentTypes = new int[8]; // event(): the types current on the event's thread
  private boolean typesOverflowed;
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
    this(EnumSet.of(kind), title, fromNanos, toNanos, spansByThread, null, jvmOfChunk);
  }

  /**
   * The profiles of {@code kinds} of every sample, and of each type's: the samples of threads
   * while a task of the type was current there. {@code chunkBegun} is called as each chunk begins.
   */
  ProfileSamples(Set<Kind> kinds, TypeSpans typeSpans, int[] jvmOfChunk, Runnable chunkBegun) {
    this(kinds, "", Long.MIN_VALUE, Long.MAX_VALUE, null, typeSpans, jvmOfChunk); // times: TraceProfiles sets them
    this.chunkBegun = chunkBegun;
  }

  private ProfileSamples(Set<Kind> kinds, String title, long fromNanos, long toNanos, LongMap<long[]> spansByThread,
      TypeSpans typeSpans, int[] jvmOfChunk) {
    this.kinds = Set.copyOf(kinds);
    this.fromNanos = fromNanos;
    this.toNanos = toNanos;
    this.spansByThread = spansByThread;
    this.jvmOfChunk = jvmOfChunk;
    this.typeSpans = typeSpans;
    for (Kind kind : kinds) {
      profiles.put(kind, empty(kind, title.isEmpty() ? kind.title + ", the whole trace" : title, fromNanos, toNanos));
      if (typeSpans != null) {
        StackProfile[] ofTypes = new StackProfile[typeSpans.types().size()];
        for (int t = 0; t < ofTypes.length; t++) {
          ofTypes[t] = empty(kind, kind.title + " of the tasks of type '" + typeSpans.types().get(t) + "'", fromNanos, toNanos);
        }
        byType.put(kind, ofTypes);
      }
    }
  }

  /** A profile of {@code kind} with no samples yet. */
  static StackProfile empty(Kind kind, String title, long fromNanos, long toNanos) {
    StackProfile profile;
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
    return profile;
  }

  @Override
  public EventSelection select(JfrType type) {
    for (Kind kind : kinds) {
      if (kind.events.contains(type.name())) {
        switch (kind) {
          case CPU:
            return EventSelection.of(CPU_SAMPLE, "sampledThread").withStackTrace();
          case ALLOC:
            return EventSelection.of(ALLOC_SAMPLE, "objectClass", "weight").withStackTrace();
          default: // the same fields for the mutex and the block profile
            return EventSelection.of(BLOCKING, "monitorClass", "parkedClass").withStackTrace();
        }
      }
    }
    return EventSelection.of(0);
  }

  @Override
  public void beginChunk(int index) {
    jvm = jvmOfChunk[index];
    chunkBegun.run();
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == 0) {
      return;
    }
    JfrThread thread = tag == CPU_SAMPLE ? event.thread(0) : event.thread();
    long at = event.startNanos();
    if (thread == null || at < fromNanos || at > toNanos) {
      return;
    }
    long threadKey = TaskKeys.key(thread.id(), jvm);
    if (spansByThread != null) {
      long[] spans = spansByThread.get(threadKey);
      if (spans == null || !TaskSpans.contains(spans, at)) {
        return;
      }
    }
    List<Frame> stack = stack(event.stackTrace());
    Map<String, String> labels;
    long[] values;
    switch (tag) {
      case CPU_SAMPLE:
        labels = Map.of();
        values = new long[] {1};
        break;
      case ALLOC_SAMPLE:
        labels = label("objectClass", event.value(0));
        values = new long[] {1, event.longValue(1)};
        break;
      default: {
        String monitor = JfrObject.className(event.value(event.has(0) ? 0 : 1));
        String name = event.type().name();
        labels = monitor.isEmpty() ? Map.of("event", name)
            : Map.of(event.has(0) ? "monitorClass" : "parkedClass", monitor, "event", name);
        values = new long[] {1, event.durationNanos()};
      }
    }
    // The types current on the thread then, found once for all kinds (a monitor enter is mutex and block).
    int types = 0;
    List<TypeSpan> ofTypes = typesOverflowed || typeSpans == null ? null : typeSpans.byThread().get(threadKey);
    if (ofTypes != null) {
      for (TypeSpan type : ofTypes) {
        if (TaskSpans.contains(type.spans(), at)) {
          if (types == currentTypes.length) {
            currentTypes = Arrays.copyOf(currentTypes, 2 * types);
          }
          currentTypes[types++] = type.type();
        }
      }
    }
    for (Kind kind : kinds) {
      if (!kind.takes(event.type().name(), stack)) {
        continue;
      }
      profiles.get(kind).add(stack, labels, values);
      for (int t = 0; t < types && !typesOverflowed; t++) {
        addToType(byType.get(kind)[currentTypes[t]], stack, labels, values);
      }
    }
  }

  private static Map<String, String> label(String key, JfrObject type) {
    String name = JfrObject.className(type);
    return name.isEmpty() ? Map.of() : Map.of(key, name);
  }

  /**
   * Stands for the stack of an event that has none, though its setting asks for one (on JDK 17, a
   * {@code jdk.JavaMonitorEnter} whose stack is in a chunk the file lacks, see {@code
   * EarlierStackTraces}): a graph of bare labels on its root would look like code.
   */
  private static final Frame NO_STACK = new Frame("(no stack trace: JFR recorded none)", "", 0, FrameKind.JAVA);

  /** The frames, leaf first, as {@code pprof} names them: {@code package.Class.method}. */
  private List<Frame> stack(JfrObject trace) {
    List<Object> recorded = trace == null ? List.of() : trace.array("frames");
    if (recorded.isEmpty()) {
      return List.of(NO_STACK);
    }
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
    return List.copyOf(stack); // once: each profile it is added to would copy it
  }

  /** Adds the samples read from other chunks. */
  void merge(ProfileSamples other) {
    profiles.forEach((kind, profile) -> add(profile, other.profiles.get(kind)));
    if (other.typesOverflowed) {
      dropTypes();
    }
    byType.forEach((kind, ofTypes) -> {
      for (int t = 0; t < ofTypes.length && !typesOverflowed; t++) {
        StackProfile into = ofTypes[t];
        other.byType.get(kind)[t].samples().forEach((key, values) -> addToType(into, key.stack(), key.labels(), values));
      }
    });
  }

  private void addToType(StackProfile profile, List<Frame> stack, Map<String, String> labels, long[] values) {
    if (typesOverflowed) {
      return;
    }
    int before = profile.samples().size();
    profile.add(stack, labels, values);
    typeStacks += profile.samples().size() - before;
    if (typeStacks > MAX_TYPE_STACKS) {
      dropTypes();
    }
  }

  /** The types' profiles are no use once one is incomplete: their memory goes at once. */
  private void dropTypes() {
    typesOverflowed = true;
    byType.clear();
  }

  /** Whether the types' profiles would have kept more than {@link #MAX_TYPE_STACKS} stacks, and were dropped. */
  boolean typesOverflowed() {
    return typesOverflowed;
  }

  private static void add(StackProfile into, StackProfile from) {
    from.samples().forEach((key, values) -> into.add(key.stack(), key.labels(), values));
  }

  /** The profile of the one kind asked for. */
  StackProfile profile() {
    return profiles.values().iterator().next();
  }

  /** The profile of {@code kind}, of every sample the restrictions let in. */
  StackProfile profile(Kind kind) {
    return profiles.get(kind);
  }

  /** The profile of {@code kind} of the {@code type}-th of the {@link TypeSpans}' types. */
  StackProfile profile(Kind kind, int type) {
    return byType.get(kind)[type];
  }
}
