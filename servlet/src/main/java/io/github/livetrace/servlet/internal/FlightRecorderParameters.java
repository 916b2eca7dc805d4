package io.github.livetrace.servlet.internal;

import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.internal.ByteSizes;
import io.github.livetrace.internal.Durations;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The servlet's flight recorder init-parameters, named as the Spring Boot properties under {@code
 * livetrace.flight-recorder}: {@code flight-recorder} ({@code true} starts one), {@code
 * flight-recorder.min-age}, {@code flight-recorder.max-bytes}, {@code
 * flight-recorder.snapshots.directory}, {@code flight-recorder.snapshots.max-count}, {@code
 * flight-recorder.snapshots.max-total-size}, {@code flight-recorder.snapshots.min-interval},
 * {@code flight-recorder.snapshots.delay} and {@code flight-recorder.snapshots.slow-tasks} (a
 * comma-separated list of {@code type=threshold}, such as {@code order=40ms,
 * http.server.requests=2s}). Every error names the init-parameter.
 */
public final class FlightRecorderParameters {
  public static final String ENABLED = "flight-recorder";
  private static final String PREFIX = ENABLED + ".";
  private static final String MIN_AGE = PREFIX + "min-age";
  private static final String MAX_BYTES = PREFIX + "max-bytes";
  private static final String DIRECTORY = PREFIX + "snapshots.directory";
  private static final String MAX_COUNT = PREFIX + "snapshots.max-count";
  private static final String MAX_TOTAL_SIZE = PREFIX + "snapshots.max-total-size";
  private static final String MIN_INTERVAL = PREFIX + "snapshots.min-interval";
  private static final String DELAY = PREFIX + "snapshots.delay";
  private static final String SLOW_TASKS = PREFIX + "snapshots.slow-tasks";
  private static final List<String> ALL =
      List.of(MIN_AGE, MAX_BYTES, DIRECTORY, MAX_COUNT, MAX_TOTAL_SIZE, MIN_INTERVAL, DELAY, SLOW_TASKS);

  private FlightRecorderParameters() {}

  /**
   * Reads the init-parameters.
   *
   * @param param an init-parameter by name, null when absent
   * @return the options of the flight recorder to start; null unless {@code flight-recorder} is {@code true}
   * @throws IllegalArgumentException naming the init-parameter and saying what is accepted
   */
  public static FlightRecorderOptions parse(Function<String, String> param) {
    String enabled = param.apply(ENABLED);
    if (enabled != null && !enabled.trim().equalsIgnoreCase("true") && !enabled.trim().equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("init-parameter " + ENABLED + " must be true or false, was '" + enabled + "'");
    }
    if (enabled == null || !enabled.trim().equalsIgnoreCase("true")) {
      for (String name : ALL) {
        if (param.apply(name) != null) {
          throw new IllegalArgumentException(
              "init-parameter " + name + " is set, but " + ENABLED + " is not true: no flight recorder would use it");
        }
      }
      return null;
    }
    FlightRecorderOptions o = FlightRecorderOptions.defaults();
    o = apply(param, MIN_AGE, o, (opt, v) -> opt.withMinAge(Durations.parse(v)));
    o = apply(param, MAX_BYTES, o, (opt, v) -> opt.withMaxBytes(ByteSizes.parse(v)));
    o = apply(param, DIRECTORY, o, (opt, v) -> opt.withSnapshotDirectory(path(v)));
    o = apply(param, MAX_COUNT, o, (opt, v) -> opt.withMaxSnapshots(integer(v)));
    o = apply(param, MAX_TOTAL_SIZE, o, (opt, v) -> opt.withMaxSnapshotBytes(ByteSizes.parse(v)));
    o = apply(param, MIN_INTERVAL, o, (opt, v) -> opt.withSnapshotMinInterval(Durations.parse(v)));
    o = apply(param, DELAY, o, (opt, v) -> opt.withSnapshotDelay(Durations.parse(v)));
    String slow = param.apply(SLOW_TASKS);
    if (slow != null) {
      for (Map.Entry<String, Duration> e : slowTasks(slow).entrySet()) {
        o = o.withSnapshotOnSlowTask(e.getKey(), e.getValue());
      }
    }
    return o;
  }

  private interface Setter {
    FlightRecorderOptions set(FlightRecorderOptions options, String value);
  }

  private static FlightRecorderOptions apply(Function<String, String> param, String name, FlightRecorderOptions o, Setter setter) {
    String value = param.apply(name);
    if (value == null) {
      return o;
    }
    try {
      return setter.set(o, value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("init-parameter " + name + ": " + e.getMessage(), e);
    }
  }

  private static Path path(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("'" + value + "' is not a path");
    }
  }

  private static int integer(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
  }

  /**
   * {@code type=threshold} pairs, comma-separated: {@code order=40ms, http.server.requests=2s}.
   *
   * @throws IllegalArgumentException naming the init-parameter
   */
  static Map<String, Duration> slowTasks(String text) {
    Map<String, Duration> tasks = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.lastIndexOf('=');
      String type = eq < 0 ? "" : pair.substring(0, eq).trim();
      if (type.isEmpty()) {
        throw new IllegalArgumentException(
            "init-parameter " + SLOW_TASKS + ": '" + pair.trim() + "' is not type=threshold, such as http.server.requests=2s");
      }
      Duration threshold;
      try {
        threshold = Durations.parse(pair.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("init-parameter " + SLOW_TASKS + ", task type " + type + ": " + e.getMessage(), e);
      }
      if (threshold.isZero()) {
        throw new IllegalArgumentException("init-parameter " + SLOW_TASKS + ", task type " + type + ": the threshold must be positive");
      }
      tasks.put(type, threshold);
    }
    return Collections.unmodifiableMap(tasks);
  }
}
