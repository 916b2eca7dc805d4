package io.github.livetrace.internal.pprof;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The profiles of Go's {@code net/http/pprof} that JDK Flight Recorder can sample, each with the
 * JFR events it is made of and the settings a recording of it needs. One place for the servlet,
 * which records them, and the CLI, which reads them from a downloaded trace.
 */
public enum ProfileKind {
  /**
   * {@code profile}: where threads spend CPU time. {@code jdk.CPUTimeSample} where this JVM has
   * it (JDK 25+ on Linux: a timer of each thread's CPU time, which sees native code too), else
   * {@code jdk.ExecutionSample} (threads in Java code, sampled every period). Never {@code
   * jdk.NativeMethodSample}: it samples threads waiting in native code (epoll, accept), wall
   * time rather than CPU.
   */
  CPU("profile", List.of("jdk.CPUTimeSample", "jdk.CPUTimeSamplesLost", "jdk.ExecutionSample")),
  /** {@code allocs}: what allocates, from {@code jdk.ObjectAllocationSample}. */
  ALLOCS("allocs", List.of("jdk.ObjectAllocationSample")),
  /**
   * {@code heap}: a sample of live objects with the stacks that allocated them, from {@code
   * jdk.OldObjectSample}, which JFR writes when a recording stops.
   */
  HEAP("heap", List.of("jdk.OldObjectSample")),
  /**
   * {@code mutex}: lock contention, from {@code jdk.JavaMonitorEnter} ({@code synchronized}) and
   * the {@code jdk.ThreadPark} events of threads waiting to acquire a {@code
   * java.util.concurrent.locks} lock.
   */
  MUTEX("mutex", List.of("jdk.JavaMonitorEnter", "jdk.ThreadPark")),
  /**
   * {@code block}: time threads spent blocked: parked, waiting to enter or in {@code
   * Object.wait}, sleeping, in socket and file I/O.
   */
  BLOCK(
      "block",
      List.of(
          "jdk.JavaMonitorEnter",
          "jdk.JavaMonitorWait",
          "jdk.ThreadPark",
          "jdk.ThreadSleep",
          "jdk.SocketRead",
          "jdk.SocketWrite",
          "jdk.FileRead",
          "jdk.FileWrite"));

  /** How often {@code jdk.ExecutionSample} samples in a CPU profile: 100 Hz, Go's rate. */
  public static final String CPU_PERIOD = "10 ms";

  /**
   * The shortest blocking that the mutex and block profiles record. JFR writes one event, with
   * its stack (2 to 3 us), per blocking longer than this; Go samples instead.
   */
  public static final String BLOCK_THRESHOLD = "1 ms";

  /** {@code jdk.ObjectAllocationSample}'s throttle in an allocation profile: the JDK's profile settings. */
  public static final String ALLOCATION_THROTTLE = "300/s";

  private final String path;
  private final List<String> events;

  ProfileKind(String path, List<String> events) {
    this.path = path;
    this.events = events;
  }

  /** The name under {@code /debug/pprof/}, as in Go. */
  public String path() {
    return path;
  }

  /** The JFR event types this profile is made of (for a CPU profile, all it may use). */
  public List<String> events() {
    return events;
  }

  /**
   * The settings that enable this profile's events in a recording, on top of settings that turn
   * everything else off.
   *
   * @param cpuTimeSampling whether a CPU profile uses {@code jdk.CPUTimeSample}
   */
  public Map<String, String> eventSettings(boolean cpuTimeSampling) {
    Map<String, String> s = new LinkedHashMap<>();
    switch (this) {
      case CPU:
        if (cpuTimeSampling) {
          enable(s, "jdk.CPUTimeSample", "throttle", CPU_PERIOD.replace(" ", ""));
          s.put("jdk.CPUTimeSample#stackTrace", "true");
          enable(s, "jdk.CPUTimeSamplesLost", null, null);
        } else {
          enable(s, "jdk.ExecutionSample", "period", CPU_PERIOD);
        }
        break;
      case ALLOCS:
        enable(s, "jdk.ObjectAllocationSample", "throttle", ALLOCATION_THROTTLE);
        s.put("jdk.ObjectAllocationSample#stackTrace", "true");
        break;
      case HEAP:
        enable(s, "jdk.OldObjectSample", "cutoff", "0 ns"); // no paths to GC roots: not needed, not cheap
        s.put("jdk.OldObjectSample#stackTrace", "true");
        break;
      default: // MUTEX, BLOCK
        for (String event : events) {
          enable(s, event, "threshold", BLOCK_THRESHOLD);
          s.put(event + "#stackTrace", "true");
          if (event.startsWith("jdk.Socket") || event.startsWith("jdk.File")) {
            s.put(event + "#throttle", "off"); // JDK 22+ throttles I/O events by default
          }
        }
    }
    return s;
  }

  /**
   * Whether an event of type {@code event} with that stack (leaf first) is one of this profile's:
   * one of its {@linkplain #events() events}, and for the mutex profile a {@code jdk.ThreadPark}
   * only when it {@linkplain #acquiresLock acquires a lock}. The servlet's profiles, {@code pprof}
   * and the viewer's flame graphs all ask this, so that they count the same events.
   */
  public boolean takes(String event, List<StackProfile.Frame> stack) {
    return events.contains(event) && (this != MUTEX || !event.equals("jdk.ThreadPark") || acquiresLock(stack));
  }

  /**
   * Whether a {@code jdk.ThreadPark} stack waits to acquire a lock, as Go's mutex profile counts
   * {@code sync.Mutex} and {@code sync.RWMutex}: below the parking machinery (LockSupport, the
   * synchronizer's acquire loop, a virtual thread's park), the first frame is a lock method ({@code
   * lock}, {@code lockInterruptibly}, {@code tryLock}, {@code readLock}, {@code writeLock}...) of
   * any lock: ReentrantLock, ReentrantReadWriteLock, StampedLock, or the application's own. Not
   * a latch, a semaphore or a condition: those are waits (the block profile).
   */
  static boolean acquiresLock(List<StackProfile.Frame> stack) {
    for (StackProfile.Frame f : stack) {
      String function = f.function();
      int dot = function.lastIndexOf('.');
      String type = dot < 0 ? "" : function.substring(0, dot);
      String method = function.substring(dot + 1);
      if (PARKING.contains(type) || (SYNCHRONIZERS.contains(type) && method.startsWith("acquire"))) {
        continue;
      }
      return LOCK_METHOD.matcher(method).matches();
    }
    return false;
  }

  /** Classes whose frames are the mechanics of parking, above whatever parked. */
  private static final Set<String> PARKING =
      Set.of(
          "jdk.internal.misc.Unsafe",
          "java.util.concurrent.locks.LockSupport",
          "java.lang.VirtualThread",
          "java.lang.System$2",
          "jdk.internal.misc.VirtualThreads",
          "jdk.internal.vm.Continuation");

  /** Synchronizers whose {@code acquire...} methods park for any of their users. */
  private static final Set<String> SYNCHRONIZERS =
      Set.of(
          "java.util.concurrent.locks.AbstractQueuedSynchronizer",
          "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
          "java.util.concurrent.locks.StampedLock");

  private static final Pattern LOCK_METHOD = Pattern.compile("(try)?((read|write)?Lock|lock)(Interruptibly)?");

  private static void enable(Map<String, String> s, String event, String setting, String value) {
    s.put(event + "#enabled", "true");
    if (setting != null) {
      s.put(event + "#" + setting, value);
    }
  }
}
