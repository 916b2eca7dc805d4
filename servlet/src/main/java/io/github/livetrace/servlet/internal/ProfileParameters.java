package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileFormat;
import io.github.livetrace.servlet.internal.TraceParameters.BadRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;

/**
 * The query parameters of the profile endpoints, checked before anything records: {@code seconds}
 * (recorded profiles), {@code format}, {@code debug} (goroutine) and {@code gc} (heap). A bad
 * value is a {@link BadRequest} that says what is accepted.
 *
 * @param duration how long to record
 * @param format what to write; null for the raw recording ({@code format=jfr})
 * @param debug Go's {@code debug}: 0 for the default format, 1 and 2 for the goroutine texts
 * @param gc whether to run a garbage collection before the heap profile ends ({@code gc=1}, as Go)
 */
public record ProfileParameters(Duration duration, ProfileFormat format, int debug, boolean gc) {
  /** {@code seconds} when a request has none, as in Go. */
  public static final double DEFAULT_SECONDS = 30;

  private static final String FORMATS = "pprof (the default), html, collapsed, jfr";

  /** Whether the answer is the raw JFR recording. */
  public boolean jfr() {
    return format == null;
  }

  /**
   * Checks the parameters of a recorded profile.
   *
   * @param name the endpoint, for messages
   * @param heap whether {@code gc} is accepted
   */
  public static ProfileParameters recorded(HttpServletRequest req, String name, double maxSeconds, boolean heap) {
    String seconds = req.getParameter("seconds");
    double value =
        seconds == null ? Math.min(DEFAULT_SECONDS, maxSeconds) : TraceParameters.parseSeconds(seconds, maxSeconds);
    String debug = req.getParameter("debug");
    if (debug != null && !debug.equals("0")) {
      throw new BadRequest(
          "debug=" + debug + " is not available for " + name + ": only goroutine has text forms;"
              + " for a text profile ask for format=collapsed");
    }
    String format = req.getParameter("format");
    boolean jfr = "jfr".equals(format);
    String gc = req.getParameter("gc");
    boolean runGc = false;
    if (gc != null) {
      if (!heap) {
        throw new BadRequest("gc applies to heap only");
      }
      if (!gc.equals("0") && !gc.equals("1")) {
        throw new BadRequest("gc must be 0 or 1 (1: run a garbage collection before the profile ends), was '" + gc + "'");
      }
      runGc = gc.equals("1");
    }
    return new ProfileParameters(
        Duration.ofNanos(Math.round(value * 1e9)), jfr ? null : format(format, FORMATS), 0, runGc);
  }

  /** Checks the parameters of {@code goroutine}: {@code debug} 0, 1 or 2, or a {@code format}. */
  public static ProfileParameters goroutine(HttpServletRequest req) {
    String debug = req.getParameter("debug");
    int level = 0;
    if (debug != null) {
      if (!debug.equals("0") && !debug.equals("1") && !debug.equals("2")) {
        throw new BadRequest(
            "debug must be 0 (pprof), 1 (text, threads grouped by stack) or 2 (text, every thread), was '" + debug + "'");
      }
      level = debug.charAt(0) - '0';
    }
    String format = req.getParameter("format");
    if (level > 0 && format != null) {
      throw new BadRequest("debug=" + level + " is a text form; it takes no format (format=" + format + ")");
    }
    if ("jfr".equals(format)) {
      throw new BadRequest("format=jfr is for recorded profiles; a thread dump is not a JFR recording");
    }
    return new ProfileParameters(Duration.ZERO, format(format, "pprof (the default), html, collapsed"), level, false);
  }

  private static ProfileFormat format(String raw, String accepted) {
    if (raw == null) {
      return ProfileFormat.PPROF;
    }
    for (ProfileFormat f : ProfileFormat.values()) {
      if (f.id().equals(raw)) {
        return f;
      }
    }
    throw new BadRequest("format '" + raw + "' is not one of: " + accepted);
  }
}
