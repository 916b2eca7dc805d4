package io.github.livetrace.internal.pprof;

import io.github.livetrace.internal.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * async-profiler as the engine of the CPU, wall-clock and mutex profiles: it samples every thread
 * by its CPU time (Linux perf_events where the kernel allows them, else a CPU-time timer per
 * thread), in Java, native, JIT-compiler and GC code alike, where JFR's {@code
 * jdk.ExecutionSample} before JDK 25 drops every sample of a thread in a stub, an intrinsic
 * ({@code System.arraycopy}, {@code System.nanoTime}) or a VM leaf call, and so can leave out most
 * of the CPU time. Its lock profiler samples contended monitors and {@code
 * java.util.concurrent} locks by their waiting time, short waits included: measured, it accounts
 * for about 90% of the time threads were blocked on a monitor ({@code ThreadMXBean}), JFR's {@code
 * jdk.JavaMonitorEnter} for about 65% whatever its threshold. Allocations stay JFR's: {@code
 * jdk.ObjectAllocationSample} weighs each sample with the bytes allocated since the previous one,
 * and measured as close to each thread's allocated bytes as async-profiler's (1.00 to 1.09 against
 * 0.85 to 0.99); blocking stays JFR's, which records sleeps and I/O that async-profiler does not.
 *
 * <p>One engine per JVM: async-profiler's native library is loaded once, at the first profile
 * that asks for it ({@link #load}), never at start-up. {@code tools.profiler:async-profiler}
 * extracts it to {@code java.io.tmpdir} (or {@code -Done.profiler.extractPath=DIR}), loads it
 * with {@code System.load} and deletes the file at once. Loaded so, as a JNI library and not an
 * agent, it makes no JVM print JEP 451's warning about agents loaded into a running JVM (checked
 * on JDK 17 and 25); JDK 24+ prints JEP 472's warning about {@code System.load} instead, which
 * {@code --enable-native-access=ALL-UNNAMED} avoids. Where it cannot load (no library for this
 * OS or CPU, a {@code noexec} temporary directory, a JVM that denies native access, not on the
 * class path) or is not wanted ({@link Choice#JFR}), JFR answers: the reason is logged once at
 * WARNING and {@link #describe} says it.
 *
 * <p>One session at a time in a JVM, whatever its mode ({@link #start} throws {@link Busy}); a
 * session stops by itself a minute after its planned end should its owner not stop it, and
 * {@link RecordedProfile#close} stops it and frees the slot. Its stacks stay in async-profiler's
 * native memory (bounded by the number of distinct stacks) until the next session starts.
 *
 * <pre>{@code
 * if (AsyncProfilerEngine.load(Choice.AUTO).isEmpty()) {
 *   try (RecordedProfile p = AsyncProfilerEngine.start(Mode.CPU, Duration.ofSeconds(30))) {
 *     waitUntil(p.plannedEnd());
 *     PprofEncoder.write(p.profile(), out);
 *   }
 * }
 * }</pre>
 */
public final class AsyncProfilerEngine {
  /** The system property that chooses the engine when the configuration does not: a {@link Choice}. */
  public static final String PROPERTY = "livetrace.profiler";

  /** async-profiler stops a session by itself this long after its planned end, should its owner not. */
  private static final Duration BACKSTOP = Duration.ofMinutes(1);

  /**
   * The signal async-profiler samples CPU time with: a real-time one, not its default SIGPROF. On
   * JDK 25, once async-profiler has taken SIGPROF, JFR's own CPU-time sampler ({@code
   * jdk.CPUTimeSample}, which traces and {@code livetrace.profiler=jfr} use) records nothing for
   * the rest of the JVM's life (measured: 150 samples before, 0 after); with this signal both work.
   * The JVM and the JDK's libraries use no real-time signal.
   */
  static final int CPU_SIGNAL = 40;

  private static final System.Logger LOG = System.getLogger("io.github.livetrace.profiler");

  /** Which engine profiles use, as {@code livetrace.profiler} names it. */
  public enum Choice {
    /** async-profiler where it loads, else JFR: the default. */
    AUTO("auto"),
    /** async-profiler, and JFR where it does not load: the same as {@code auto}, said outright. */
    ASYNC_PROFILER("async-profiler"),
    /** JFR only: async-profiler is never loaded; no wall-clock profile. */
    JFR("jfr");

    private final String id;

    Choice(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Choice parse(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (Choice c : values()) {
        if (c.id.equals(v)) {
          return c;
        }
      }
      throw new IllegalArgumentException("livetrace.profiler must be auto, async-profiler or jfr, was '" + value + "'");
    }

    /** The {@link #PROPERTY} system property's choice, {@link #AUTO} when it is not set. */
    public static Choice fromSystemProperty() {
      String value = System.getProperty(PROPERTY);
      return value == null || value.isBlank() ? AUTO : parse(value);
    }
  }

  /** What a session samples. */
  public enum Mode {
    /** CPU time, every {@link ProfileKind#CPU_PERIOD} of it per thread, as Go's 100 Hz. */
    CPU("cpu", "interval", Duration.ofMillis(10), "samples", "cpu"),
    /**
     * Wall-clock time of every thread, running or waiting, as fgprof does for Go; async-profiler's
     * own default period, since its cost grows with the number of threads.
     */
    WALL("wall", "interval", Duration.ofMillis(50), "samples", "wall"),
    /**
     * Contended locks, a sample per this much waiting: waits far shorter than JFR's 1 ms
     * threshold count, at a cost that grows with the contention, not with the number of locks.
     */
    LOCK("lock", "lock", Duration.ofNanos(10_000), "contentions", "delay");

    private final String event;
    private final String intervalOption;
    private final Duration interval;
    private final String countType;
    private final String type;

    Mode(String event, String intervalOption, Duration interval, String countType, String type) {
      this.event = event;
      this.intervalOption = intervalOption;
      this.interval = interval;
      this.countType = countType;
      this.type = type;
    }

    /** The pprof sample type of its time: {@code cpu}, {@code wall} or {@code delay}. */
    public String type() {
      return type;
    }

    public Duration interval() {
      return interval;
    }
  }

  /** Another session runs in this JVM: livetrace's, until {@link #plannedEnd}, or another tool's (null). */
  public static final class Busy extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Instant plannedEnd;

    Busy(String message, Instant plannedEnd) {
      super(message, null, false, false);
      this.plannedEnd = plannedEnd;
    }

    /** When the running session is expected to end; null when another tool runs async-profiler. */
    public Instant plannedEnd() {
      return plannedEnd;
    }
  }

  private static final Object LOCK = new Object();
  private static Loaded loaded; // guarded by LOCK; set once
  private static String loadFailure; // guarded by LOCK; set once
  private static final AtomicReference<Session> RUNNING = new AtomicReference<>();

  private AsyncProfilerEngine() {}

  /**
   * Why async-profiler cannot answer {@code choice}'s profiles, known without loading it; empty
   * when it may (then {@link #load} tells).
   */
  public static Optional<String> excluded(Choice choice) {
    if (choice == Choice.JFR) {
      return Optional.of("livetrace.profiler=jfr");
    }
    synchronized (LOCK) {
      if (loadFailure != null) {
        return Optional.of(loadFailure);
      }
    }
    try {
      Class.forName("one.profiler.AsyncProfiler", false, AsyncProfilerEngine.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.of("async-profiler (tools.profiler:async-profiler) is not on the class path");
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean linux = os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    boolean mac = os.contains("mac");
    if (!linux && !mac) {
      return Optional.of("async-profiler has no library for " + os + " on " + arch);
    }
    return Optional.empty();
  }

  /**
   * Loads async-profiler the first time it is called in this JVM, and says why it cannot answer
   * {@code choice}'s profiles, empty when it can. A failure to load is logged once, at WARNING,
   * and remembered: it is not tried again.
   */
  public static Optional<String> load(Choice choice) {
    Optional<String> excluded = excluded(choice);
    if (excluded.isPresent()) {
      return excluded;
    }
    synchronized (LOCK) {
      if (loaded != null) {
        return Optional.empty();
      }
      if (loadFailure != null) {
        return Optional.of(loadFailure);
      }
      try {
        loaded = Loaded.load();
        return Optional.empty();
      } catch (RuntimeException | LinkageError e) {
        loadFailure = "async-profiler did not load: " + e;
        LOG.log(
            System.Logger.Level.WARNING,
            "livetrace: " + loadFailure + ". CPU profiles come from JDK Flight Recorder, which "
                + (ProfileRecording.cpuTimeSampling()
                    ? "sees native code but not the JIT compiler's and GC's threads"
                    : "does not see time in stubs, intrinsics, VM leaf calls and native code")
                + ", and there is no wall-clock profile. A temporary directory mounted noexec is the"
                + " usual cause: -Done.profiler.extractPath=DIR names another; -D" + PROPERTY
                + "=jfr stops livetrace from trying.");
        return Optional.of(loadFailure);
      }
    }
  }

  /** Whether async-profiler is loaded in this JVM. */
  public static boolean isLoaded() {
    synchronized (LOCK) {
      return loaded != null;
    }
  }

  /**
   * Which engine answers {@code choice}'s profiles and why, for people (the index page), without
   * loading anything; for {@code mode} CPU, also how it samples CPU time once that is known.
   */
  public static String describe(Choice choice, Mode mode) {
    Optional<String> excluded = excluded(choice);
    if (excluded.isPresent()) {
      return "JDK Flight Recorder (" + excluded.get() + ")";
    }
    synchronized (LOCK) {
      if (loaded != null) {
        return "async-profiler " + loaded.version + (mode == Mode.CPU ? ", " + loaded.cpuEvent.description : "");
      }
    }
    return "async-profiler, loaded at the first profile (JDK Flight Recorder where it does not load)";
  }

  /**
   * The engine's name and mode as a response header gives it, for a loaded engine: {@code
   * async-profiler/4.2; event=cpu; interval=10ms}.
   */
  public static String header(Mode mode) {
    Loaded l = requireLoaded();
    String event = mode == Mode.CPU ? l.cpuEvent.event : mode.event;
    return "async-profiler/" + l.version + "; event=" + event + "; interval=" + Durations.format(mode.interval.toNanos());
  }

  /**
   * Starts a session of {@code mode} that records for {@code duration}; {@link #load} must have
   * succeeded.
   *
   * @throws Busy when another session runs in this JVM, livetrace's or another tool's
   * @throws IllegalStateException when async-profiler refuses to start for another reason
   */
  public static RecordedProfile start(Mode mode, Duration duration) throws Busy {
    Loaded l = requireLoaded();
    Instant start = Instant.now();
    Session session = new Session(l, mode, start, start.plus(duration));
    if (!RUNNING.compareAndSet(null, session)) {
      Session current = RUNNING.get();
      Instant end = current != null ? current.plannedEnd : session.plannedEnd;
      throw new Busy("another async-profiler profile runs in this JVM; one runs at a time", end);
    }
    try {
      l.start(mode, duration.plus(BACKSTOP));
      return session;
    } catch (IllegalStateException e) {
      RUNNING.compareAndSet(session, null);
      if (String.valueOf(e.getMessage()).contains("already started")) {
        throw new Busy("async-profiler is already running in this JVM, started by another tool", null);
      }
      throw e;
    } catch (RuntimeException | Error e) {
      RUNNING.compareAndSet(session, null);
      throw e;
    }
  }

  /** When livetrace's running session will end, if one runs. */
  public static Optional<Instant> runningUntil() {
    Session s = RUNNING.get();
    return s == null ? Optional.empty() : Optional.of(s.plannedEnd);
  }

  private static Loaded requireLoaded() {
    synchronized (LOCK) {
      if (loaded == null) {
        throw new IllegalStateException("async-profiler is not loaded");
      }
      return loaded;
    }
  }

  /** How async-profiler samples CPU time here, checked once when it loads. */
  private enum CpuEvent {
    PERF("cpu", "CPU time from Linux perf_events: every thread, Java, native, JIT compiler and GC, kernel frames included"),
    CTIMER("ctimer", "CPU time from a per-thread CPU-time timer (perf_events are not allowed here: no kernel frames)"),
    ITIMER("itimer", "CPU time from the process's CPU-time timer (neither perf_events nor per-thread timers are allowed here)");

    final String event;
    final String description;

    CpuEvent(String event, String description) {
      this.event = event;
      this.description = description;
    }
  }

  /**
   * The loaded library. The only class that touches async-profiler's API, so that none of it is
   * linked unless {@link #excluded} found it on the class path.
   */
  private static final class Loaded {
    final one.profiler.AsyncProfiler profiler;
    final String version;
    final CpuEvent cpuEvent;

    private Loaded(one.profiler.AsyncProfiler profiler, CpuEvent cpuEvent) {
      this.profiler = profiler;
      this.version = profiler.getVersion().trim();
      this.cpuEvent = cpuEvent;
    }

    static Loaded load() {
      one.profiler.AsyncProfiler profiler = one.profiler.AsyncProfiler.getInstance();
      for (CpuEvent e : CpuEvent.values()) {
        try {
          profiler.execute("check,event=" + e.event);
          return new Loaded(profiler, e);
        } catch (java.io.IOException | IllegalStateException | IllegalArgumentException refused) {
          // this way of sampling is not allowed here: the next one
        }
      }
      throw new IllegalStateException("async-profiler loaded but can sample CPU time in none of its ways (cpu, ctimer, itimer)");
    }

    void start(Mode mode, Duration backstop) {
      String event = mode == Mode.CPU ? cpuEvent.event : mode.event;
      try {
        // threads: a frame per thread, made a label; ann: marks class frames apart from methods.
        profiler.execute(
            "start,event=" + event + "," + mode.intervalOption + "=" + mode.interval.toNanos() + ",threads,ann,timeout="
                + Math.max(1, backstop.toSeconds())
                + (mode == Mode.CPU ? ",signal=" + CPU_SIGNAL : ""));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("async-profiler did not start: " + e.getMessage(), e);
      }
    }

    void stop() {
      try {
        profiler.stop();
      } catch (IllegalStateException e) {
        // stopped already: by its timeout
      }
    }

    String dump(boolean samples) {
      return profiler.dumpCollapsed(samples ? one.profiler.Counter.SAMPLES : one.profiler.Counter.TOTAL);
    }
  }

  /** One session: stopped once, its collapsed stacks read once. */
  private static final class Session implements RecordedProfile {
    private final Loaded loaded;
    private final Mode mode;
    private final Instant start;
    private final Instant plannedEnd;
    private Instant stopped; // guarded by this
    private StackProfile profile; // guarded by this
    private boolean closed; // guarded by this

    Session(Loaded loaded, Mode mode, Instant start, Instant plannedEnd) {
      this.loaded = loaded;
      this.mode = mode;
      this.start = start;
      this.plannedEnd = plannedEnd;
    }

    @Override
    public Instant plannedEnd() {
      return plannedEnd;
    }

    @Override
    public synchronized void stop() {
      if (stopped == null && !closed) {
        loaded.stop();
        stopped = Instant.now();
      }
    }

    @Override
    public synchronized StackProfile profile() {
      if (closed) {
        throw new IllegalStateException("the profile was closed");
      }
      stop();
      if (profile == null) {
        profile = read(loaded.dump(true), loaded.dump(false));
      }
      return profile;
    }

    @Override
    public void close() {
      synchronized (this) {
        stop();
        closed = true;
        profile = null;
      }
      RUNNING.compareAndSet(this, null);
    }

    private StackProfile read(String samples, String totals) {
      long interval = mode.interval.toNanos();
      String event = mode == Mode.CPU ? loaded.cpuEvent.event : mode.event;
      StackProfile.ValueType count = new StackProfile.ValueType(mode.countType, "count");
      StackProfile.ValueType time = new StackProfile.ValueType(mode.type, "nanoseconds");
      StackProfile p;
      String what;
      if (mode == Mode.LOCK) {
        // As JFR's mutex profile: a period of one contention, the lock's class a leaf label.
        p = new StackProfile("Lock contention: delay (async-profiler lock, a sample per " + Durations.format(interval) + " waited)", List.of(count, time), count, 1);
        p.setLeafLabels(List.of("monitorClass", "parkedClass"));
        what = "threads waiting to enter a monitor or acquire a java.util.concurrent lock (parks in a lock's lock"
            + " methods; not semaphores, latches or conditions), the waiter's stack; contentions counts samples, a"
            + " sample per " + Durations.format(interval) + " of waiting, short waits included";
      } else {
        String title = (mode == Mode.CPU ? "CPU" : "Wall clock") + " (async-profiler " + event + ", every " + Durations.format(interval) + ")";
        p = new StackProfile(title, List.of(count, time), time, interval);
        what = mode == Mode.CPU ? loaded.cpuEvent.description : "every thread, running or waiting, as fgprof samples Go's goroutines";
      }
      Map<String, Long> total = counts(totals);
      counts(samples).forEach((stack, n) -> add(p, stack, n, total.getOrDefault(stack, n * interval)));
      p.addComment("async-profiler " + loaded.version + ", event=" + event + " every " + Durations.format(interval) + ": " + what);
      long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
      p.setTime(startNanos, Duration.between(start, stopped).toNanos());
      return p;
    }

    /** A collapsed dump's lines, {@code frame;frame;... count}, root first: count by stack. */
    private static Map<String, Long> counts(String collapsed) {
      Map<String, Long> counts = new LinkedHashMap<>();
      collapsed.lines().forEach(line -> {
        int space = line.lastIndexOf(' ');
        if (space > 0) {
          try {
            counts.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1).trim()), Long::sum);
          } catch (NumberFormatException e) {
            // not a stack line
          }
        }
      });
      return counts;
    }

    private static void add(StackProfile p, String collapsed, long samples, long nanos) {
      String[] names = collapsed.split(";");
      Map<String, String> labels = new HashMap<>();
      int first = 0;
      if (names.length > 0 && names[0].startsWith("[") && names[0].endsWith("]")) {
        labels.put("thread", threadName(names[0]));
        first = 1;
      }
      int last = names.length - 1;
      if (p.leafLabels().size() > 0 && last >= first && names[last].endsWith("_[i]") && names[last].indexOf('/') < 0) {
        // A lock profile's leaf is the lock's class (dotted, marked inlined), not a frame that ran.
        boolean parked = last > first && names[last - 1].endsWith(".park");
        labels.put(parked ? "parkedClass" : "monitorClass", names[last].substring(0, names[last].length() - 4));
        last--;
      }
      List<StackProfile.Frame> stack = new ArrayList<>(last - first + 1);
      for (int i = last; i >= first; i--) {
        stack.add(frame(names[i]));
      }
      if (labels.containsKey("parkedClass") && !ProfileKind.acquiresLock(stack)) {
        // async-profiler samples every park on a synchronizer: an idle pool thread waiting on a
        // semaphore or a condition is waiting for work, not for a lock. As JFR's mutex profile,
        // only parks inside a lock's lock methods count.
        return;
      }
      p.add(stack, labels, samples, nanos);
    }

    /** {@code [name tid=123]}: the name. */
    private static String threadName(String frame) {
      String inner = frame.substring(1, frame.length() - 1);
      int tid = inner.lastIndexOf(" tid=");
      return tid >= 0 ? inner.substring(0, tid) : inner;
    }

    /**
     * async-profiler names Java frames {@code java/lang/Thread.run}, marks kernel frames {@code
     * _[k]} (and, with {@code ann}, some Java frames {@code _[j]}, {@code _[i]}, {@code _[0]},
     * {@code _[1]}); native and VM frames are C symbols ({@code clock_gettime@@GLIBC_2.17}),
     * C++ names ({@code OptoRuntime::new_array_C}) or stubs' names ({@code C2 Runtime new_array}).
     */
    private static StackProfile.Frame frame(String name) {
      String n = name;
      if (n.length() > 4 && n.endsWith("]") && n.charAt(n.length() - 4) == '_' && n.charAt(n.length() - 3) == '[') {
        if (n.charAt(n.length() - 2) == 'k') {
          return new StackProfile.Frame(n, "", 0, StackProfile.FrameKind.NATIVE);
        }
        n = n.substring(0, n.length() - 4);
      }
      boolean java =
          n.indexOf('.') > 0
              && n.indexOf("::") < 0
              && n.indexOf(' ') < 0
              && n.indexOf('@') < 0
              && n.indexOf('[') < 0
              && !n.endsWith(".");
      return java
          ? new StackProfile.Frame(n.replace('/', '.'), "", 0, StackProfile.FrameKind.JAVA)
          : new StackProfile.Frame(n, "", 0, StackProfile.FrameKind.NATIVE);
    }
  }
}
