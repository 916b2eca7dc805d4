package io.github.livetrace.spring;

import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.TraceOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the livetrace starter, under the prefix {@code livetrace}:
 *
 * <pre>
 * livetrace.base-path=/debug/pprof
 * livetrace.max-seconds=60
 * livetrace.chunk-interval=1s
 * livetrace.write-timeout=10s
 * livetrace.warm-up=true
 * livetrace.allowed-settings=default,profile
 * livetrace.token=${LIVETRACE_TOKEN:}
 * livetrace.observation.enabled=true
 * livetrace.metrics.percentile-histogram=false
 * livetrace.flight-recorder.enabled=true
 * livetrace.flight-recorder.min-age=10s
 * livetrace.flight-recorder.max-bytes=10MB
 * livetrace.flight-recorder.snapshots.slow-tasks[http.server.requests]=2s
 * </pre>
 *
 * Values are checked when they are bound, so that a typo stops the application with a message
 * naming the property ({@code livetrace.max-seconds}), where the servlet's builder, which checks
 * them again, could only name its own method.
 */
@ConfigurationProperties(prefix = "livetrace")
public class LivetraceProperties {
  /**
   * Whether livetrace registers anything: the trace endpoints, the metrics binder and the
   * observation handler.
   */
  private boolean enabled = true;

  /**
   * Path of the endpoints: {base-path}/trace?seconds=N streams a trace, {base-path}/ is an index.
   * On the management server when management.server.port is a port of its own.
   */
  private String basePath = "/debug/pprof";

  /** Longest trace or profile (CPU, allocations, heap, mutex, block) a request may ask for with ?seconds=N, in seconds. */
  private double maxSeconds = 60;

  /**
   * How often a finished JFR chunk is sent to the client: the latency of the stream, and how much
   * of a cut download is lost at most.
   */
  private Duration chunkInterval = Duration.ofSeconds(1);

  /**
   * How long a finished chunk may wait for a slow client. A client that does not take it in time
   * gets an aborted response and the trace slot is free again; the recording itself always ends
   * at the requested duration.
   */
  private Duration writeTimeout = TraceOptions.DEFAULT_WRITE_TIMEOUT;

  /**
   * Whether to pay JDK Flight Recorder's one-time start-up costs in the background once the
   * application is ready, so that the first trace starts as fast as later ones.
   */
  private boolean warmUp = true;

  /**
   * JFR configurations a request may choose with ?settings=NAME. The first is used when a request
   * names none.
   */
  private List<String> allowedSettings = new ArrayList<>(List.of("default", "profile"));

  /**
   * Bearer token that every request to the endpoints must send in the header 'Authorization:
   * Bearer TOKEN'; others get 401. Unset or blank: no token is required. Supply it from a secret:
   * the LIVETRACE_TOKEN environment variable filled from a Kubernetes Secret, or a configtree:
   * import of a mounted secret; never the command line, which every process on the host can read.
   */
  private String token;

  /**
   * The engine of the CPU (profile), wall-clock (wall) and lock contention (mutex) profiles:
   * 'auto' (async-profiler where its native library loads, loaded at the first such profile, else
   * JDK Flight Recorder), 'async-profiler' (the same, said outright) or 'jfr' (never load a native
   * library; no wall profile). The other profiles and the trace are always JFR's.
   */
  private String profiler = "auto";

  private final Observation observation = new Observation();

  private final Metrics metrics = new Metrics();

  private final FlightRecorderSettings flightRecorder = new FlightRecorderSettings();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getBasePath() {
    return basePath;
  }

  /**
   * @throws IllegalArgumentException when the path does not start with {@code /}, is the root, or
   *     holds wildcards: the servlet would then take requests meant for the application
   */
  public void setBasePath(String basePath) {
    String path = Objects.requireNonNull(basePath, "basePath").trim();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!basePath.trim().startsWith("/") || path.isEmpty() || path.contains("*") || path.contains("?")) {
      throw new IllegalArgumentException(
          "livetrace.base-path must be a path below the root such as /debug/pprof, was '" + basePath + "'");
    }
    this.basePath = path;
  }

  public double getMaxSeconds() {
    return maxSeconds;
  }

  /** @throws IllegalArgumentException unless positive and finite */
  public void setMaxSeconds(double maxSeconds) {
    if (!(maxSeconds > 0) || Double.isInfinite(maxSeconds)) {
      throw new IllegalArgumentException("livetrace.max-seconds must be a positive number, was " + maxSeconds);
    }
    this.maxSeconds = maxSeconds;
  }

  /** {@link #getMaxSeconds()} as a duration (not a getter, so not a property of its own). */
  public Duration maxDuration() {
    return Duration.ofNanos(Math.round(Math.min(maxSeconds, Long.MAX_VALUE / 1e9) * 1e9));
  }

  public Duration getChunkInterval() {
    return chunkInterval;
  }

  /** @throws IllegalArgumentException outside the bounds of {@link TraceOptions#withChunkInterval} */
  public void setChunkInterval(Duration chunkInterval) {
    TraceOptions.defaults().withChunkInterval(chunkInterval);
    this.chunkInterval = chunkInterval;
  }

  public Duration getWriteTimeout() {
    return writeTimeout;
  }

  /** @throws IllegalArgumentException outside the bounds of {@link TraceOptions#withWriteTimeout} */
  public void setWriteTimeout(Duration writeTimeout) {
    TraceOptions.defaults().withWriteTimeout(writeTimeout);
    this.writeTimeout = writeTimeout;
  }

  public boolean isWarmUp() {
    return warmUp;
  }

  public void setWarmUp(boolean warmUp) {
    this.warmUp = warmUp;
  }

  public List<String> getAllowedSettings() {
    return allowedSettings;
  }

  /** @throws IllegalArgumentException when empty */
  public void setAllowedSettings(List<String> allowedSettings) {
    List<String> names = new ArrayList<>();
    for (String name : allowedSettings) {
      if (name != null && !name.isBlank()) {
        names.add(name.trim());
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("livetrace.allowed-settings must name at least one JFR configuration");
    }
    this.allowedSettings = names;
  }

  public String getProfiler() {
    return profiler;
  }

  /** @throws IllegalArgumentException for a value other than auto, async-profiler or jfr */
  public void setProfiler(String profiler) {
    check("livetrace.profiler", () -> io.github.livetrace.servlet.PprofServlet.builder().profiler(profiler));
    this.profiler = profiler.trim();
  }

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  /** Whether a token is configured, for code that must not handle the token itself. */
  public boolean hasToken() {
    return token != null && !token.isBlank();
  }

  public Observation getObservation() {
    return observation;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public FlightRecorderSettings getFlightRecorder() {
    return flightRecorder;
  }

  /** Runs a check of core's, with the property's name in front of its message. */
  private static void check(String property, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
    }
  }

  /** The Micrometer Observation bridge. */
  public static class Observation {
    /**
     * Whether every Micrometer observation (Spring MVC requests, RestClient calls, @Scheduled
     * runs...) becomes a livetrace task, its scopes regions and its events logs.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** The Micrometer meters of livetrace. */
  public static class Metrics {
    /**
     * Whether the livetrace.task timers publish a percentile histogram (more time series per task
     * type).
     */
    private boolean percentileHistogram = false;

    /**
     * Most task types timed separately by livetrace.task; tasks of further types are timed under
     * type=other.
     */
    private int maxTaskTypes = 100;

    public boolean isPercentileHistogram() {
      return percentileHistogram;
    }

    public void setPercentileHistogram(boolean percentileHistogram) {
      this.percentileHistogram = percentileHistogram;
    }

    public int getMaxTaskTypes() {
      return maxTaskTypes;
    }

    /** @throws IllegalArgumentException when less than 1 */
    public void setMaxTaskTypes(int maxTaskTypes) {
      if (maxTaskTypes < 1) {
        throw new IllegalArgumentException("livetrace.metrics.max-task-types must be at least 1, was " + maxTaskTypes);
      }
      this.maxTaskTypes = maxTaskTypes;
    }
  }

  /**
   * The flight recorder: the last seconds of the JVM's trace, kept all the time, served at
   * {base-path}/flightrecorder, and kept in a snapshot store when a task is slow.
   */
  public static class FlightRecorderSettings {
    /**
     * Whether a flight recorder runs: a continuous JFR recording with livetrace's safe settings,
     * about 1% overhead.
     */
    private boolean enabled = false;

    /** How far back a window reaches at least (Go's MinAge). Between 1s and 1h. */
    private Duration minAge = FlightRecorderOptions.DEFAULT_MIN_AGE;

    /**
     * The most a window holds, which wins over min-age (Go's MaxBytes); with the chunk being
     * written, what the recording keeps on disk. Between 1MB and 1GB.
     */
    private DataSize maxBytes = DataSize.ofBytes(FlightRecorderOptions.DEFAULT_MAX_BYTES);

    private final Snapshots snapshots = new Snapshots();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getMinAge() {
      return minAge;
    }

    /** @throws IllegalArgumentException outside the bounds of {@link FlightRecorderOptions#withMinAge} */
    public void setMinAge(Duration minAge) {
      check("livetrace.flight-recorder.min-age", () -> FlightRecorderOptions.defaults().withMinAge(minAge));
      this.minAge = minAge;
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    /** @throws IllegalArgumentException outside the bounds of {@link FlightRecorderOptions#withMaxBytes} */
    public void setMaxBytes(DataSize maxBytes) {
      check("livetrace.flight-recorder.max-bytes", () -> FlightRecorderOptions.defaults().withMaxBytes(maxBytes.toBytes()));
      this.maxBytes = maxBytes;
    }

    public Snapshots getSnapshots() {
      return snapshots;
    }

    /** The options these properties describe (not a getter, so not a property of its own). */
    public FlightRecorderOptions options() {
      FlightRecorderOptions o =
          FlightRecorderOptions.defaults()
              .withMinAge(minAge)
              .withMaxBytes(maxBytes.toBytes())
              .withMaxSnapshots(snapshots.maxCount)
              .withMaxSnapshotBytes(snapshots.maxTotalSize.toBytes())
              .withSnapshotMinInterval(snapshots.minInterval)
              .withSnapshotDelay(snapshots.delay);
      for (Map.Entry<String, Duration> e : snapshots.slowTasks.entrySet()) {
        o = o.withSnapshotOnSlowTask(e.getKey(), e.getValue());
      }
      return snapshots.directory == null ? o : o.withSnapshotDirectory(Path.of(snapshots.directory));
    }
  }

  /** Where the flight recorder keeps its windows of slow tasks, and how many. */
  public static class Snapshots {
    /**
     * Directory of the snapshots; created owner-only. Default: livetrace-snapshots in the
     * temporary directory (java.io.tmpdir). Give each application its own.
     */
    private String directory;

    /** Most snapshots kept; the oldest are removed first. */
    private int maxCount = FlightRecorderOptions.DEFAULT_MAX_SNAPSHOTS;

    /** Most bytes of snapshots kept; the oldest are removed first, the newest always stays. */
    private DataSize maxTotalSize = DataSize.ofBytes(FlightRecorderOptions.DEFAULT_MAX_SNAPSHOT_BYTES);

    /**
     * Least time between two snapshots: a storm of slow requests makes one snapshot, not
     * hundreds.
     */
    private Duration minInterval = FlightRecorderOptions.DEFAULT_SNAPSHOT_MIN_INTERVAL;

    /**
     * How long after a slow task's end its snapshot is taken, so that the end and what followed
     * are in it.
     */
    private Duration delay = FlightRecorderOptions.DEFAULT_SNAPSHOT_DELAY;

    /**
     * Task type to threshold: a task of that type that ends slower keeps a snapshot, for example
     * slow-tasks[http.server.requests]=2s for Spring MVC requests.
     */
    private Map<String, Duration> slowTasks = new LinkedHashMap<>();

    public String getDirectory() {
      return directory;
    }

    /** @throws IllegalArgumentException when blank */
    public void setDirectory(String directory) {
      if (directory == null || directory.isBlank()) {
        throw new IllegalArgumentException("livetrace.flight-recorder.snapshots.directory must not be blank");
      }
      check("livetrace.flight-recorder.snapshots.directory", () -> Path.of(directory.trim()));
      this.directory = directory.trim();
    }

    public int getMaxCount() {
      return maxCount;
    }

    /** @throws IllegalArgumentException outside the bounds of {@link FlightRecorderOptions#withMaxSnapshots} */
    public void setMaxCount(int maxCount) {
      check("livetrace.flight-recorder.snapshots.max-count", () -> FlightRecorderOptions.defaults().withMaxSnapshots(maxCount));
      this.maxCount = maxCount;
    }

    public DataSize getMaxTotalSize() {
      return maxTotalSize;
    }

    /** @throws IllegalArgumentException outside the bounds of {@link FlightRecorderOptions#withMaxSnapshotBytes} */
    public void setMaxTotalSize(DataSize maxTotalSize) {
      check(
          "livetrace.flight-recorder.snapshots.max-total-size",
          () -> FlightRecorderOptions.defaults().withMaxSnapshotBytes(maxTotalSize.toBytes()));
      this.maxTotalSize = maxTotalSize;
    }

    public Duration getMinInterval() {
      return minInterval;
    }

    /** @throws IllegalArgumentException when negative */
    public void setMinInterval(Duration minInterval) {
      check("livetrace.flight-recorder.snapshots.min-interval", () -> FlightRecorderOptions.defaults().withSnapshotMinInterval(minInterval));
      this.minInterval = minInterval;
    }

    public Duration getDelay() {
      return delay;
    }

    /** @throws IllegalArgumentException outside the bounds of {@link FlightRecorderOptions#withSnapshotDelay} */
    public void setDelay(Duration delay) {
      check("livetrace.flight-recorder.snapshots.delay", () -> FlightRecorderOptions.defaults().withSnapshotDelay(delay));
      this.delay = delay;
    }

    public Map<String, Duration> getSlowTasks() {
      return slowTasks;
    }

    /** @throws IllegalArgumentException for an empty task type or a threshold that is not positive */
    public void setSlowTasks(Map<String, Duration> slowTasks) {
      for (Map.Entry<String, Duration> e : slowTasks.entrySet()) {
        check(
            "livetrace.flight-recorder.snapshots.slow-tasks[" + e.getKey() + "]",
            () -> FlightRecorderOptions.defaults().withSnapshotOnSlowTask(e.getKey(), e.getValue()));
      }
      this.slowTasks = new LinkedHashMap<>(slowTasks);
    }
  }
}
