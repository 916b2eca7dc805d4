package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.StartCheck;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** The answers every endpoint shares: safety headers, text errors, 429 with Retry-After. */
public final class Responses {
  private Responses() {}

  /** On every answer: a browser must not sniff a download into HTML, nor a proxy keep one. */
  public static void safetyHeaders(HttpServletResponse resp) {
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Cache-Control", "no-store");
  }

  /**
   * A text answer; sets the safety headers again, since {@code resp.reset()} clears them. Its
   * length is set, so that a HEAD, which writes no body, gets the same framing as the GET.
   */
  public static void plain(HttpServletResponse resp, int status, String message) throws IOException {
    safetyHeaders(resp);
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    String body = message + "\n";
    resp.setContentLength(body.getBytes(StandardCharsets.UTF_8).length);
    resp.getWriter().write(body);
  }

  /**
   * What a GET gets, and so a HEAD, when JFR refuses to start the recording it needs: 503 when
   * JFR is not available, 409 when another recording would put secret-bearing events in it.
   *
   * @param what the verb, for the message: "trace", "profile"
   */
  public static void refused(HttpServletResponse resp, String what, StartCheck.Refusal refusal) throws IOException {
    resp.reset();
    if (refusal.obstacle() == StartCheck.Obstacle.JFR_UNAVAILABLE) {
      plain(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "cannot " + what + ": " + refusal.message());
    } else {
      plain(resp, HttpServletResponse.SC_CONFLICT, "cannot " + what + " safely now: " + refusal.message());
    }
  }

  /**
   * 429 with {@code Retry-After}: the whole seconds until {@code freeAt}, at least 1; {@code
   * fallbackSeconds} when that time is not known.
   */
  public static void busy(HttpServletResponse resp, Instant freeAt, long fallbackSeconds, String what)
      throws IOException {
    resp.reset();
    long retryAfter =
        freeAt == null
            ? fallbackSeconds
            : Math.max(1, (Duration.between(Instant.now(), freeAt).toMillis() + 999) / 1000);
    resp.setHeader("Retry-After", Long.toString(retryAfter));
    plain(resp, 429, what + "; only one runs at a time. Retry in " + retryAfter + " s");
  }
}
