package io.github.livetrace.spring;

import io.github.livetrace.TraceOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the livetrace starter, under the prefix {@code livetrace}:
 *
 * <pre>
 * livetrace.base-path=/debug/pprof
 * livetrace.max-seconds=60
 * livetrace.chunk-interval=1s
 * livetrace.allowed-settings=default,profile
 * livetrace.token=${LIVETRACE_TOKEN:}
 * livetrace.observation.enabled=true
 * livetrace.metrics.percentile-histogram=false
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
   * JFR configurations a request may choose with ?settings=NAME. The first is used when a request
   * names none.
   */
  private List<String> allowedSettings = new ArrayList<>(List.of("default", "profile"));

  /**
   * Bearer token that every request to the endpoints must send in the header 'Authorization:
   * Bearer TOKEN'; others get 401. Unset or blank: no token is required. Supply it from a secret, for
   * example through the LIVETRACE_TOKEN environment variable.
   */
  private String token;

  private final Observation observation = new Observation();

  private final Metrics metrics = new Metrics();

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
}
