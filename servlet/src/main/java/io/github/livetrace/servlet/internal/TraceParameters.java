package io.github.livetrace.servlet.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query parameters of {@code /debug/pprof/trace}, checked. Go turns a bad {@code seconds}
 * into a silent 1 s; here every bad value is refused with a message that says what is accepted,
 * before any recording starts.
 */
public final class TraceParameters {
  /** {@code seconds} when the request has none, as in Go. */
  public static final double DEFAULT_SECONDS = 1;

  // Plain decimal numbers as Go's ParseFloat reads them; Java's parser would also take "5d",
  // "0x1p3" and surrounding blanks, which nobody means.
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)");

  private final Duration duration;
  private final String configuration;

  private TraceParameters(Duration duration, String configuration) {
    this.duration = duration;
    this.configuration = configuration;
  }

  /** How long to trace. */
  public Duration duration() {
    return duration;
  }

  /** The JFR configuration to record with. */
  public String configuration() {
    return configuration;
  }

  /**
   * Checks the raw parameter values.
   *
   * @param seconds the {@code seconds} parameter, or null when absent
   * @param settings the {@code settings} parameter, or null when absent
   * @param maxSeconds the largest duration allowed
   * @param allowedSettings the configuration names a request may choose, all of them in this
   *     JVM (the builder checked); the first is used when the request names none
   * @throws BadRequest with a message for the client
   */
  public static TraceParameters parse(
      String seconds, String settings, double maxSeconds, Set<String> allowedSettings) {
    double value = seconds == null ? DEFAULT_SECONDS : parseSeconds(seconds, maxSeconds);
    String configuration =
        settings == null ? allowedSettings.iterator().next() : checkSettings(settings, allowedSettings);
    return new TraceParameters(Duration.ofNanos(Math.round(value * 1e9)), configuration);
  }

  /**
   * Checks a raw {@code seconds} value: a finite decimal number greater than 0 and at most {@code
   * maxSeconds}. Shared by every endpoint that takes {@code seconds}.
   *
   * @throws BadRequest saying what is accepted
   */
  /** How far ahead {@code start} may be. */
  public static final Duration MAX_START_AHEAD = Duration.ofSeconds(10);

  /**
   * {@code start}: when the recording is to start, so that many JVMs asked by one client record
   * the same wall-clock window ({@code livetrace pull}); milliseconds since the epoch or an
   * ISO-8601 instant ({@code 2026-12-05T07:30:00Z}), at most {@link #MAX_START_AHEAD} ahead. Absent,
   * or already past: now.
   *
   * @throws BadRequest saying what is accepted
   */
  public static java.time.Instant parseStart(String raw, java.time.Instant now) {
    if (raw == null || raw.isBlank()) {
      return now;
    }
    java.time.Instant start;
    try {
      String t = raw.trim();
      start = t.chars().allMatch(Character::isDigit) ? java.time.Instant.ofEpochMilli(Long.parseLong(t)) : java.time.Instant.parse(t);
    } catch (RuntimeException e) {
      throw new BadRequest("start must be milliseconds since the epoch or an ISO-8601 instant such as 2026-12-05T07:30:00Z, was '" + raw + "'");
    }
    if (start.isAfter(now.plus(MAX_START_AHEAD))) {
      throw new BadRequest("start may be at most " + MAX_START_AHEAD.toSeconds() + " s ahead of this server's clock (" + now + "), was " + start);
    }
    return start.isBefore(now) ? now : start;
  }

  public static double parseSeconds(String raw, double maxSeconds) {
    String accepted =
        "want a number of seconds greater than 0 and at most " + format(maxSeconds) + ", such as 5 or 0.5";
    if (NON_FINITE.matcher(raw.toLowerCase(Locale.ROOT)).matches()) {
      throw new BadRequest("seconds must be a finite number, was '" + raw + "'; " + accepted);
    }
    if (!DECIMAL.matcher(raw).matches()) {
      throw new BadRequest("seconds is not a number: '" + raw + "'; " + accepted);
    }
    double value = Double.parseDouble(raw);
    if (Double.isInfinite(value)) {
      throw new BadRequest("seconds must be a finite number, was '" + raw + "'; " + accepted);
    }
    if (value <= 0 || Math.round(value * 1e9) <= 0) {
      throw new BadRequest("seconds must be greater than 0, was '" + raw + "'; " + accepted);
    }
    if (value > maxSeconds) {
      throw new BadRequest(
          "seconds "
              + raw
              + " is over this server's maximum of "
              + format(maxSeconds)
              + "; "
              + accepted
              + " (the maximum is the servlet's max-seconds setting)");
    }
    return value;
  }

  private static String checkSettings(String raw, Set<String> allowed) {
    if (!allowed.contains(raw)) {
      throw new BadRequest(
          "settings '" + raw + "' is not allowed here; choose one of: " + String.join(", ", allowed));
    }
    return raw;
  }

  /** {@code 60} rather than {@code 60.0}. */
  public static String format(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }

  /** A request the client must change; the message says how. */
  public static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
