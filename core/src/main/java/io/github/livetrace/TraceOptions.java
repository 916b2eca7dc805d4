package io.github.livetrace;

import io.github.livetrace.internal.RecordingSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How {@link Trace#start(java.io.OutputStream, TraceOptions)} records. Immutable; every {@code
 * with} method returns a copy.
 *
 * <pre>{@code
 * TraceOptions options = TraceOptions.defaults()
 *     .withConfiguration("profile")                       // more CPU samples, allocation events
 *     .withSetting("jdk.ThreadSleep#threshold", "0 ms")   // any JFR setting
 *     .withChunkInterval(Duration.ofMillis(500))          // bytes arrive twice a second
 *     .withDuration(Duration.ofSeconds(5));               // stop by itself
 * }</pre>
 *
 * <p>Whatever the configuration, the events in {@link #sensitiveEvents()} (environment, system
 * properties, command lines, agent options) are off, and so are most events that JFR repeats in
 * every chunk. {@link #withSetting} can turn any of them back on, as an explicit choice.
 */
public final class TraceOptions {
  /** How often a chunk is finished and written unless told otherwise: once a second, as Go. */
  public static final Duration DEFAULT_CHUNK_INTERVAL = Duration.ofSeconds(1);

  /** The shortest chunk interval: each chunk repeats ~100 KB of metadata and costs a safepoint. */
  public static final Duration MIN_CHUNK_INTERVAL = Duration.ofMillis(100);

  /** The longest chunk interval. */
  public static final Duration MAX_CHUNK_INTERVAL = Duration.ofMinutes(1);

  /**
   * How long a finished chunk may wait for the output unless told otherwise. Long enough for a
   * client across a slow link to take a 1 s chunk of a busy service, short enough that a stalled
   * one frees the trace slot soon after the trace's end.
   */
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

  /** The longest write timeout. */
  public static final Duration MAX_WRITE_TIMEOUT = Duration.ofMinutes(10);

  private static final TraceOptions DEFAULTS =
      new TraceOptions(DEFAULT_CHUNK_INTERVAL, "default", Map.of(), null, DEFAULT_WRITE_TIMEOUT, false);

  private final Duration chunkInterval;
  private final String configuration;
  private final Map<String, String> settings;
  private final Duration duration;
  private final Duration writeTimeout;
  private final boolean allowSensitiveEventsFromOtherRecordings;

  private TraceOptions(
      Duration chunkInterval,
      String configuration,
      Map<String, String> settings,
      Duration duration,
      Duration writeTimeout,
      boolean allowSensitiveEventsFromOtherRecordings) {
    this.chunkInterval = chunkInterval;
    this.configuration = configuration;
    this.settings = settings;
    this.duration = duration;
    this.writeTimeout = writeTimeout;
    this.allowSensitiveEventsFromOtherRecordings = allowSensitiveEventsFromOtherRecordings;
  }

  /** The JDK's {@code default} configuration, chunks every second, until {@link Trace#stop()}. */
  public static TraceOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The events that livetrace turns off because their fields carry secrets: environment
   * variables, system and security properties, JVM and program arguments, command lines of host
   * processes and of started children, string flags, agent options, other recordings' names.
   */
  public static Set<String> sensitiveEvents() {
    return RecordingSettings.SENSITIVE_EVENTS;
  }

  /**
   * How often the current chunk is finished and written: the latency of the stream, and the
   * granularity at which a cut download stays readable.
   *
   * @throws IllegalArgumentException outside {@link #MIN_CHUNK_INTERVAL} to {@link
   *     #MAX_CHUNK_INTERVAL}
   */
  public TraceOptions withChunkInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(MIN_CHUNK_INTERVAL) < 0 || interval.compareTo(MAX_CHUNK_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "chunk interval must be between "
              + MIN_CHUNK_INTERVAL.toMillis()
              + " ms and "
              + MAX_CHUNK_INTERVAL.toSeconds()
              + " s, was "
              + interval.toMillis()
              + " ms");
    }
    return new TraceOptions(
        interval, configuration, settings, duration, writeTimeout, allowSensitiveEventsFromOtherRecordings);
  }

  /**
   * The JDK configuration to start from: {@code default} (low overhead, the default) or {@code
   * profile} (more detail, about 2% overhead), or another configuration installed in the JDK.
   *
   * @throws IllegalArgumentException when this JVM has no configuration of that name; the message
   *     lists those it has
   */
  public TraceOptions withConfiguration(String name) {
    RecordingSettings.requireConfiguration(name);
    return new TraceOptions(
        chunkInterval, name, settings, duration, writeTimeout, allowSensitiveEventsFromOtherRecordings);
  }

  /**
   * One JFR setting, applied after the configuration and livetrace's own changes, for example
   * {@code withSetting("jdk.ObjectAllocationSample#throttle", "300/s")} or {@code
   * withSetting("livetrace.Region#threshold", "1 ms")}.
   */
  public TraceOptions withSetting(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new LinkedHashMap<>(settings);
    copy.put(name, value);
    return new TraceOptions(
        chunkInterval,
        configuration,
        Collections.unmodifiableMap(copy),
        duration,
        writeTimeout,
        allowSensitiveEventsFromOtherRecordings);
  }

  /**
   * Stop by itself after this long, as {@code ?seconds=N} does. The session then ends on its own;
   * {@link TraceSession#awaitTermination} returns when it has.
   *
   * @throws IllegalArgumentException when not positive
   */
  public TraceOptions withDuration(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    return new TraceOptions(
        chunkInterval, configuration, settings, duration, writeTimeout, allowSensitiveEventsFromOtherRecordings);
  }

  /**
   * How long a finished chunk may wait for the output to take it. The recording never waits for
   * the output: it ends at its duration whatever the reader does, and finished chunks queue on
   * disk meanwhile. If the output has not taken a chunk this long after it was finished (a slow
   * or stalled reader), the trace ends with {@link TraceFailure.Reason#WRITE_TIMEOUT} and
   * releases everything. So the trace slot is free at the latest this long after the duration,
   * and the chunks on disk cover at most this long. Default {@link #DEFAULT_WRITE_TIMEOUT}.
   *
   * <p>A write already blocked in the output when the timeout passes cannot be taken back: the
   * writer thread is interrupted and stays in that write until the output returns or throws
   * (the servlet aborts the response, which makes it throw). A trace that ends for another reason
   * (another recording, an outside stop, a JFR error) gives the writer this long to finish the
   * chunk it is writing before it is interrupted, so that the output ends with whole chunks.
   *
   * @throws IllegalArgumentException when not positive or over {@link #MAX_WRITE_TIMEOUT}
   */
  public TraceOptions withWriteTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_WRITE_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "write timeout must be positive and at most " + MAX_WRITE_TIMEOUT.toMinutes() + " min, was " + timeout);
    }
    return new TraceOptions(
        chunkInterval, configuration, settings, duration, timeout, allowSensitiveEventsFromOtherRecordings);
  }

  /**
   * Whether to stream while another recording in this JVM enables one of the {@link
   * #sensitiveEvents()}. JFR chunks are shared by all recordings, so such events then appear in
   * the trace. Off by default: {@link Trace#start} refuses with a {@link SecurityException} that
   * names the recording, and a trace already running stops when such a recording appears.
   */
  public TraceOptions withSensitiveEventsFromOtherRecordingsAllowed(boolean allowed) {
    return new TraceOptions(chunkInterval, configuration, settings, duration, writeTimeout, allowed);
  }

  public Duration chunkInterval() {
    return chunkInterval;
  }

  public String configuration() {
    return configuration;
  }

  /** The extra settings, in the order they were added. */
  public Map<String, String> settings() {
    return settings;
  }

  /** How long the trace runs by itself, when set. */
  public Optional<Duration> duration() {
    return Optional.ofNullable(duration);
  }

  /** How long a finished chunk may wait for the output; see {@link #withWriteTimeout}. */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  public boolean sensitiveEventsFromOtherRecordingsAllowed() {
    return allowSensitiveEventsFromOtherRecordings;
  }

  @Override
  public String toString() {
    return "TraceOptions[chunkInterval="
        + chunkInterval
        + ", configuration="
        + configuration
        + ", settings="
        + settings
        + ", duration="
        + duration
        + ", writeTimeout="
        + writeTimeout
        + ", sensitiveEventsFromOtherRecordingsAllowed="
        + allowSensitiveEventsFromOtherRecordings
        + "]";
  }
}
