package io.github.livetrace.internal;

import java.util.List;
import java.util.Optional;

/**
 * Whether JFR lets a livetrace recording start now, decided without starting one: the one check
 * that {@code Trace.start}, {@code FlightRecorder.start}, the profiles and the servlet's answers
 * to HEAD share, so that a HEAD is refused exactly when a GET would be.
 */
public final class StartCheck {
  private StartCheck() {}

  /** What stands in the way. */
  public enum Obstacle {
    /** JFR is disabled ({@code -XX:-FlightRecorder}) or the runtime lacks the {@code jdk.jfr} module: for good. */
    JFR_UNAVAILABLE,
    /** Another recording enables events that carry secrets, which JFR would put in livetrace's chunks: until it stops. */
    SENSITIVE_EVENTS;

    /** The value of a metric tag: the name in lower case. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Why a recording cannot start.
   *
   * @param obstacle what stands in the way
   * @param message a sentence for the operator: what is wrong and what to change
   */
  public record Refusal(Obstacle obstacle, String message) {
    /**
     * The refusal an exception of the public API stands for: {@code UnsupportedOperationException}
     * (JFR unavailable) or {@code SecurityException} (secret-bearing events); empty for others.
     * For a caller that checked first and lost a race with another recording's start.
     */
    public static Optional<Refusal> of(RuntimeException e) {
      if (e instanceof UnsupportedOperationException) {
        return Optional.of(new Refusal(Obstacle.JFR_UNAVAILABLE, e.getMessage()));
      }
      if (e instanceof SecurityException) {
        return Optional.of(new Refusal(Obstacle.SENSITIVE_EVENTS, e.getMessage()));
      }
      return Optional.empty();
    }

    /** The exception the public API throws for it, as its javadoc promises. */
    public RuntimeException exception() {
      return obstacle == Obstacle.JFR_UNAVAILABLE
          ? new UnsupportedOperationException(message)
          : new SecurityException(message);
    }
  }

  /** Refused when JFR cannot record at all in this JVM. */
  public static Optional<Refusal> jfr() {
    if (Jfr.PRESENT && jdk.jfr.FlightRecorder.isAvailable()) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            Obstacle.JFR_UNAVAILABLE,
            "JDK Flight Recorder is not available in this JVM ("
                + (Jfr.PRESENT
                    ? "it was disabled, for example with -XX:-FlightRecorder; remove that option"
                    : "this runtime does not include the jdk.jfr module; add it to the image")
                + ")"));
  }

  /**
   * Whether {@code Trace.start(out, options)} would be refused now by JFR (a running trace is
   * another matter, decided under the trace lock).
   */
  public static Optional<Refusal> trace(io.github.livetrace.TraceOptions options) {
    if (options.sensitiveEventsFromOtherRecordingsAllowed()) {
      return jfr();
    }
    return recording(
        "this trace",
        ", or allow them explicitly with TraceOptions.withSensitiveEventsFromOtherRecordingsAllowed(true)");
  }

  /**
   * Refused when JFR cannot record, or when another recording enables events that carry secrets
   * (JFR shares chunks between recordings, so they would land in livetrace's).
   *
   * @param where where JFR would put them, for the message: "this trace"
   * @param remedy what else the operator may do, appended to "Stop that recording or disable
   *     those events in it"; empty for nothing more
   */
  public static Optional<Refusal> recording(String where, String remedy) {
    Optional<Refusal> jfr = jfr();
    if (jfr.isPresent()) {
      return jfr;
    }
    List<String> leaks = RecordingSettings.sensitiveEventsEnabledElsewhere(null);
    if (leaks.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            Obstacle.SENSITIVE_EVENTS,
            "another recording in this JVM enables events that carry secrets, and JFR would put them in "
                + where
                + ": "
                + String.join(", ", leaks)
                + ". Stop that recording or disable those events in it"
                + remedy));
  }
}
