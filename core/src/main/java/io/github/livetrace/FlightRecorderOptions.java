package io.github.livetrace;

import io.github.livetrace.internal.ByteSizes;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.RecordingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link FlightRecorder} records, and where its snapshots go. Immutable; every {@code with}
 * method returns a copy. The window's two settings are Go's {@code FlightRecorderConfig}:
 *
 * <pre>{@code
 * FlightRecorderOptions options = FlightRecorderOptions.defaults()
 *     .withMinAge(Duration.ofSeconds(30))            // keep at least the last 30 s
 *     .withMaxBytes(20 << 20)                        // but never more than 20 MiB
 *     .withSnapshotDirectory(Path.of("/var/lib/app/snapshots"))
 *     .withMaxSnapshots(20)
 *     .withSnapshotMinInterval(Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>JFR keeps and drops whole chunks, so both settings apply at chunk granularity: the recorder
 * finishes a chunk every fifth of {@code minAge} (between 0.5 s and 1 min) or when it passes an
 * eighth of {@code maxBytes} (at least 512 KB), whichever comes first. A window then covers {@code
 * minAge} to {@code minAge} plus one chunk, unless {@code maxBytes} runs out first: as in Go, the
 * byte budget wins. The disk holds at most {@code maxBytes} plus the chunk being written.
 *
 * <p>The recording uses the same settings as a trace: a JDK configuration ({@code default} unless
 * told otherwise) with the events that carry secrets and most chunk-periodic events off (see
 * {@link TraceOptions#sensitiveEvents()}).
 */
public final class FlightRecorderOptions {
  /** How far back a window reaches at least, unless told otherwise: Go's default. */
  public static final Duration DEFAULT_MIN_AGE = Duration.ofSeconds(10);

  /** The shortest {@code minAge}. */
  public static final Duration MIN_MIN_AGE = Duration.ofSeconds(1);

  /** The longest {@code minAge}. */
  public static final Duration MAX_MIN_AGE = Duration.ofHours(1);

  /** The most a window holds unless told otherwise: Go's default, 10 MiB. */
  public static final long DEFAULT_MAX_BYTES = 10L << 20;

  /** The smallest {@code maxBytes}, 1 MiB: an idle chunk alone is about 120 KB. */
  public static final long MIN_MAX_BYTES = 1L << 20;

  /** The largest {@code maxBytes}, 1 GiB. */
  public static final long MAX_MAX_BYTES = 1L << 30;

  /** How many snapshots the store keeps unless told otherwise. */
  public static final int DEFAULT_MAX_SNAPSHOTS = 10;

  /** How many bytes of snapshots the store keeps unless told otherwise: 100 MiB. */
  public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 100L << 20;

  /** The least time between two snapshots unless told otherwise. */
  public static final Duration DEFAULT_SNAPSHOT_MIN_INTERVAL = Duration.ofMinutes(1);

  /** How long after a slow task's end its snapshot is taken unless told otherwise. */
  public static final Duration DEFAULT_SNAPSHOT_DELAY = Duration.ofSeconds(1);

  /** The longest snapshot delay: a window must still hold the task when it is written. */
  public static final Duration MAX_SNAPSHOT_DELAY = Duration.ofMinutes(1);

  private static final FlightRecorderOptions DEFAULTS = new FlightRecorderOptions(new Values());

  /** The fields, copied by every {@code with}. */
  private static final class Values implements Cloneable {
    Duration minAge = DEFAULT_MIN_AGE;
    long maxBytes = DEFAULT_MAX_BYTES;
    String configuration = "default";
    Map<String, String> settings = Map.of();
    Path snapshotDirectory = Path.of(System.getProperty("java.io.tmpdir"), "livetrace-snapshots");
    int maxSnapshots = DEFAULT_MAX_SNAPSHOTS;
    long maxSnapshotBytes = DEFAULT_MAX_SNAPSHOT_BYTES;
    Duration snapshotMinInterval = DEFAULT_SNAPSHOT_MIN_INTERVAL;
    Duration snapshotDelay = DEFAULT_SNAPSHOT_DELAY;
    Map<String, Duration> slowTasks = Map.of();

    @Override
    protected Values clone() {
      try {
        return (Values) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private final Values v;

  private FlightRecorderOptions(Values v) {
    this.v = v;
  }

  /**
   * A 10 s window of at most 10 MiB with the JDK's {@code default} configuration; snapshots in
   * {@code livetrace-snapshots} under the temporary directory, at most 10 of them and 100 MiB, at
   * most one a minute, taken 1 s after a slow task's end.
   */
  public static FlightRecorderOptions defaults() {
    return DEFAULTS;
  }

  private FlightRecorderOptions with(Consumer<Values> change) {
    Values copy = v.clone();
    change.accept(copy);
    return new FlightRecorderOptions(copy);
  }

  /**
   * How far back a window reaches at least: Go's {@code MinAge}. The recorder drops what is older
   * than this plus one chunk.
   *
   * @throws IllegalArgumentException outside {@link #MIN_MIN_AGE} to {@link #MAX_MIN_AGE}
   */
  public FlightRecorderOptions withMinAge(Duration minAge) {
    Objects.requireNonNull(minAge, "minAge");
    if (minAge.compareTo(MIN_MIN_AGE) < 0 || minAge.compareTo(MAX_MIN_AGE) > 0) {
      throw new IllegalArgumentException(
          "min age must be between " + Durations.format(MIN_MIN_AGE) + " and " + Durations.format(MAX_MIN_AGE)
              + ", was " + Durations.format(minAge));
    }
    return with(c -> c.minAge = minAge);
  }

  /**
   * The most bytes a window holds, and with the chunk being written what the recording keeps on
   * disk: Go's {@code MaxBytes}, which wins over {@code minAge}.
   *
   * @throws IllegalArgumentException outside {@link #MIN_MAX_BYTES} to {@link #MAX_MAX_BYTES}
   */
  public FlightRecorderOptions withMaxBytes(long maxBytes) {
    if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES) {
      throw new IllegalArgumentException(
          "max bytes must be between " + ByteSizes.format(MIN_MAX_BYTES) + " and " + ByteSizes.format(MAX_MAX_BYTES)
              + ", was " + maxBytes);
    }
    return with(c -> c.maxBytes = maxBytes);
  }

  /**
   * The JDK configuration to start from, as {@link TraceOptions#withConfiguration}.
   *
   * @throws IllegalArgumentException when this JVM has no configuration of that name
   */
  public FlightRecorderOptions withConfiguration(String name) {
    RecordingSettings.requireConfiguration(name);
    return with(c -> c.configuration = name);
  }

  /** One JFR setting, applied last, as {@link TraceOptions#withSetting}. */
  public FlightRecorderOptions withSetting(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new LinkedHashMap<>(v.settings);
    copy.put(name, value);
    Map<String, String> settings = Collections.unmodifiableMap(copy);
    return with(c -> c.settings = settings);
  }

  /**
   * Where snapshots are kept; created (owner-only) when the first is written. A directory that is
   * a symbolic link or belongs to another user is refused when a snapshot is written. Give each
   * application its own when several share a machine: the limits apply to the whole directory.
   */
  public FlightRecorderOptions withSnapshotDirectory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    return with(c -> c.snapshotDirectory = directory.toAbsolutePath().normalize());
  }

  /**
   * How many snapshots the store keeps; the oldest go first.
   *
   * @throws IllegalArgumentException when less than 1 or more than 10,000
   */
  public FlightRecorderOptions withMaxSnapshots(int maxSnapshots) {
    if (maxSnapshots < 1 || maxSnapshots > 10_000) {
      throw new IllegalArgumentException("max snapshots must be between 1 and 10000, was " + maxSnapshots);
    }
    return with(c -> c.maxSnapshots = maxSnapshots);
  }

  /**
   * How many bytes of snapshots the store keeps; the oldest go first, and the newest stays
   * whatever its size.
   *
   * @throws IllegalArgumentException when less than {@link #MIN_MAX_BYTES}
   */
  public FlightRecorderOptions withMaxSnapshotBytes(long maxSnapshotBytes) {
    if (maxSnapshotBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "max snapshot bytes must be at least " + ByteSizes.format(MIN_MAX_BYTES) + ", was " + maxSnapshotBytes);
    }
    return with(c -> c.maxSnapshotBytes = maxSnapshotBytes);
  }

  /**
   * The least time between two snapshots, whatever asks for them: slow tasks or the application.
   * Requests within it are counted and dropped.
   *
   * @throws IllegalArgumentException when negative
   */
  public FlightRecorderOptions withSnapshotMinInterval(Duration minInterval) {
    Objects.requireNonNull(minInterval, "minInterval");
    if (minInterval.isNegative()) {
      throw new IllegalArgumentException("snapshot min interval must not be negative, was " + minInterval);
    }
    return with(c -> c.snapshotMinInterval = minInterval);
  }

  /**
   * How long after a slow task's end its snapshot is taken, so that the end and what followed are
   * in it. Snapshots the application asks for are taken at once.
   *
   * @throws IllegalArgumentException when negative or over {@link #MAX_SNAPSHOT_DELAY}
   */
  public FlightRecorderOptions withSnapshotDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.compareTo(MAX_SNAPSHOT_DELAY) > 0) {
      throw new IllegalArgumentException(
          "snapshot delay must be between 0 and " + Durations.format(MAX_SNAPSHOT_DELAY) + ", was " + delay);
    }
    return with(c -> c.snapshotDelay = delay);
  }

  /**
   * Keeps a snapshot when a task of {@code taskType} ends slower than {@code threshold}, as
   * {@link FlightRecorder#snapshotOnSlowTask} does on a running recorder; a second call for a
   * type replaces the first.
   *
   * @param taskType the task type, as given to {@link Trace#newTask(String)}; for Spring MVC
   *     requests {@code http.server.requests}
   * @throws IllegalArgumentException when the type is null or empty or the threshold not positive
   */
  public FlightRecorderOptions withSnapshotOnSlowTask(String taskType, Duration threshold) {
    if (taskType == null || taskType.isEmpty()) {
      throw new IllegalArgumentException("a task type is required");
    }
    Objects.requireNonNull(threshold, "threshold");
    if (threshold.isNegative() || threshold.isZero()) {
      throw new IllegalArgumentException("the threshold for '" + taskType + "' must be positive, was " + threshold);
    }
    Map<String, Duration> copy = new LinkedHashMap<>(v.slowTasks);
    copy.put(taskType, threshold);
    Map<String, Duration> slowTasks = Collections.unmodifiableMap(copy);
    return with(c -> c.slowTasks = slowTasks);
  }

  public Duration minAge() {
    return v.minAge;
  }

  public long maxBytes() {
    return v.maxBytes;
  }

  public String configuration() {
    return v.configuration;
  }

  /** The extra settings, in the order they were added. */
  public Map<String, String> settings() {
    return v.settings;
  }

  public Path snapshotDirectory() {
    return v.snapshotDirectory;
  }

  public int maxSnapshots() {
    return v.maxSnapshots;
  }

  public long maxSnapshotBytes() {
    return v.maxSnapshotBytes;
  }

  public Duration snapshotMinInterval() {
    return v.snapshotMinInterval;
  }

  public Duration snapshotDelay() {
    return v.snapshotDelay;
  }

  /** The task types whose slow ends keep a snapshot, to their thresholds, in the order added. */
  public Map<String, Duration> slowTasks() {
    return v.slowTasks;
  }

  @Override
  public String toString() {
    return "FlightRecorderOptions[minAge=" + v.minAge
        + ", maxBytes=" + v.maxBytes
        + ", configuration=" + v.configuration
        + ", settings=" + v.settings
        + ", snapshotDirectory=" + v.snapshotDirectory
        + ", maxSnapshots=" + v.maxSnapshots
        + ", maxSnapshotBytes=" + v.maxSnapshotBytes
        + ", snapshotMinInterval=" + v.snapshotMinInterval
        + ", snapshotDelay=" + v.snapshotDelay
        + ", slowTasks=" + v.slowTasks
        + "]";
  }
}
