package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.ProfileSamples.Kind;
import io.github.livetrace.internal.pprof.StackProfile;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flame graphs that need every chunk, the whole trace's and each task type's, of every kind,
 * made once in the background and kept, as {@code go tool trace} reads a trace once up front and
 * serves its profiles from what it kept. The viewer {@linkplain #start() starts} it after its first
 * page; until it is done, those flame graphs say how far it is.
 *
 * <p>Two readings of every chunk: the spans of every task with its type ({@link TaskSpans#ofAll},
 * in time order, one table), then the samples of all kinds, each added to the whole trace's
 * profile and to those of the types whose tasks were current on its thread then ({@link
 * ProfileSamples}, on several threads). The results are the ones {@link FlamePage} gets from a
 * reading of its own ({@link TaskSpans#ofType} and every chunk).
 *
 * <p>Memory kept: per kind, the whole trace's profile, and per task type and kind, the type's: an
 * entry per distinct stack and labels, at most {@link ProfileSamples#MAX_TYPE_STACKS} for all the
 * types together. While it reads, the spans of every task and thread ({@link
 * TaskSpans#MAX_ALL_SPANS}), then their merged intervals per type and thread. When the spans or the
 * types' stacks would pass their limits, the types' profiles are not kept, and a type's flame graph
 * reads the trace again, as before.
 */
final class TraceProfiles {
  /** What there is so far. */
  record State(boolean done, int chunksRead, int chunks, String failure) {}

  private final Fleet fleet;
  private final int chunks; // both readings
  private final AtomicInteger chunksRead = new AtomicInteger();
  private ExecutorService worker; // guarded by this: started once
  private volatile String failure;
  private volatile String typesLeftOut; // why the types' profiles were not kept, or null
  private volatile Map<Kind, StackProfile> whole; // set when done
  private volatile Map<String, Map<Kind, StackProfile>> byType; // set when done; null when not kept

  TraceProfiles(Fleet fleet) {
    this.fleet = fleet;
    this.chunks = 2 * fleet.parts().stream().mapToInt(p -> p.file().chunks().size()).sum();
  }

  /** Starts the readings on a daemon thread, once: the viewer ends without waiting for them. */
  synchronized void start() {
    if (worker != null) {
      return;
    }
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "livetrace-view-profiles");
      t.setDaemon(true);
      return t;
    });
    worker.execute(() -> {
      try {
        read();
      } catch (Exception | OutOfMemoryError e) {
        failure = "the flame graphs could not be made: " + e;
      }
    });
    worker.shutdown();
  }

  /** Waits at most {@code seconds} for the readings {@link #start()} began to end; whether they did. */
  boolean await(long seconds) throws InterruptedException {
    ExecutorService started;
    synchronized (this) {
      started = worker;
    }
    return started != null && started.awaitTermination(seconds, TimeUnit.SECONDS);
  }

  State state() {
    return new State(whole != null, Math.min(chunksRead.get(), chunks), chunks, failure);
  }

  /** The whole trace's profile of {@code kind}; null until done. */
  StackProfile whole(Kind kind) {
    Map<Kind, StackProfile> profiles = whole;
    return profiles == null ? null : profiles.get(kind);
  }

  /**
   * The profile of {@code kind} of the tasks of {@code type}; null until done, or when the types'
   * profiles were not kept.
   */
  StackProfile ofType(String type, Kind kind) {
    Map<String, Map<Kind, StackProfile>> types = byType;
    if (types == null) {
      return null;
    }
    Map<Kind, StackProfile> ofType = types.get(type);
    return ofType != null ? ofType.get(kind)
        : ProfileSamples.empty(kind, kind.title + " of the tasks of type '" + type + "'", fleet.startNanos(), fleet.endNanos());
  }

  /** Whether the types' profiles were kept (known once done). */
  boolean keepsTypes() {
    return byType != null;
  }

  /** Why the types' profiles were not kept: too many spans or stacks, or a failure; null when they were. */
  String typesLeftOut() {
    return failure != null ? failure : typesLeftOut;
  }

  private void read() throws BadInputException, java.io.IOException {
    TaskSpans spans = TaskSpans.ofAll(fleet, chunksRead::incrementAndGet);
    boolean typesFit = spans.dropped() == 0;
    if (!typesFit) {
      typesLeftOut = "the trace has more than " + TaskSpans.MAX_ALL_SPANS + " task-and-thread spans, the most this heap keeps";
    }
    ProfileSamples.TypeSpans typeSpans = typesFit ? spans.byType() : null;
    spans = null; // the table goes before the samples are read
    EnumSet<Kind> kinds = EnumSet.allOf(Kind.class);
    ProfileSamples all = new ProfileSamples(kinds, typeSpans, new int[0], () -> {});
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new ProfileSamples(kinds, typeSpans, part.jvmOfChunk(), chunksRead::incrementAndGet),
          all::merge);
    }
    long from = fleet.startNanos();
    long to = fleet.endNanos();
    Map<Kind, StackProfile> profiles = new EnumMap<>(Kind.class);
    for (Kind kind : kinds) {
      all.profile(kind).setTime(from, to - from);
      profiles.put(kind, all.profile(kind));
    }
    if (all.typesOverflowed()) {
      typesLeftOut = "the task types' profiles have more than " + ProfileSamples.MAX_TYPE_STACKS + " stacks";
    }
    if (typeSpans != null && !all.typesOverflowed()) {
      Map<String, Map<Kind, StackProfile>> types = new HashMap<>();
      for (int t = 0; t < typeSpans.types().size(); t++) {
        Map<Kind, StackProfile> ofType = new EnumMap<>(Kind.class);
        for (Kind kind : kinds) {
          all.profile(kind, t).setTime(from, to - from);
          ofType.put(kind, all.profile(kind, t));
        }
        types.put(typeSpans.types().get(t), ofType);
      }
      byType = types;
    }
    chunksRead.set(chunks);
    whole = profiles;
  }
}
