package io.github.livetrace.servlet;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.TraceStats.Rejection;
import io.github.livetrace.servlet.internal.IndexPage;
import io.github.livetrace.servlet.internal.TraceParameters;
import io.github.livetrace.servlet.internal.TraceParameters.BadRequest;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Serves live JFR traces the way Go's {@code net/http/pprof} serves execution traces. Map it at
 * {@code /debug/pprof/*}:
 *
 * <ul>
 *   <li>{@code GET /debug/pprof/trace?seconds=5} streams a 5 s trace as it is recorded, one JFR
 *       chunk per second, as {@code trace.jfr}. {@code seconds} may be fractional; absent, it is
 *       1. {@code &settings=profile} picks another allowed JFR configuration.
 *   <li>{@code GET /debug/pprof/} is an HTML index of the endpoints. Any other name is 404.
 * </ul>
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler();
 * context.addServlet(new ServletHolder(PprofServlet.builder()
 *     .bearerToken(System.getenv("PPROF_TOKEN"))
 *     .build()), "/debug/pprof/*");
 * }</pre>
 *
 * <p>Answers, always with a {@code text/plain} explanation: 400 for a bad {@code seconds} or
 * {@code settings}; 401 without the configured bearer token; 403 when the access check refuses;
 * 405 for methods other than GET and HEAD; 429 with {@code Retry-After} while another trace runs
 * (only one runs per JVM); 409 when another recording in the JVM would leak secret-bearing events
 * into the trace; 503 when JFR is not available. None of them starts a recording.
 *
 * <p>A client that disconnects is noticed at the next chunk write, and its trace stops and
 * releases everything. The stream writes a chunk every second, so an idle timeout of the
 * container does not cut it; any cut leaves the client with a download that lacks the final
 * zero-length HTTP chunk, which {@code curl} reports, never a silently short file.
 *
 * <p>With no access check configured the servlet serves anyone, as Go's does. Restrict it: set a
 * bearer token or an access check, map it on a port that is not published, or put it behind the
 * container's own security.
 *
 * <p>Configured with {@link #builder()}, or, when created by the container, with init-parameters:
 * {@code max-seconds} (default 60), {@code chunk-interval} (default {@code 1s}), {@code
 * allowed-settings} (comma-separated, default {@code default,profile}; the first is used when the
 * request names none), {@code token} (a bearer token) and {@code access-check} (the class name of
 * a {@code Predicate<HttpServletRequest>} with a public no-argument constructor).
 */
public class PprofServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Default cap on {@code seconds}. */
  public static final double DEFAULT_MAX_SECONDS = 60;

  private transient Config config; // from the builder, or from the init-parameters in init
  private final transient Set<TraceSession> running = ConcurrentHashMap.newKeySet();

  /** A servlet configured by its init-parameters, for web.xml and containers that create it. */
  public PprofServlet() {}

  private PprofServlet(Config config) {
    this.config = config;
  }

  /** Starts the configuration of a servlet in code. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void init(ServletConfig servletConfig) throws ServletException {
    super.init(servletConfig);
    try {
      if (config == null) {
        config = new Config(Builder.fromInitParameters(servletConfig));
      }
    } catch (IllegalArgumentException | ReflectiveOperationException e) {
      throw new ServletException("livetrace pprof servlet: " + e.getMessage(), e);
    }
  }

  /** Stops a trace this servlet is still streaming, so that a server shutdown ends it cleanly. */
  @Override
  public void destroy() {
    for (TraceSession session : running) {
      session.stop();
    }
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    safetyHeaders(resp);
    String method = req.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      TraceStats.rejected(Rejection.BAD_REQUEST);
      resp.setHeader("Allow", "GET, HEAD");
      plain(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + method + " is not allowed; use GET");
      return;
    }
    if (!accessGranted(req, resp)) {
      return;
    }
    String name = req.getPathInfo() == null ? "" : req.getPathInfo().replaceFirst("^/", "");
    switch (name) {
      case "":
        index(req, resp);
        break;
      case "trace":
        trace(req, resp, method.equals("HEAD"));
        break;
      default:
        plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: " + name);
    }
  }

  private boolean accessGranted(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (config.token != null && !hasToken(req.getHeader("Authorization"))) {
      TraceStats.rejected(Rejection.UNAUTHORIZED);
      resp.setHeader("WWW-Authenticate", "Bearer realm=\"livetrace\"");
      plain(resp, HttpServletResponse.SC_UNAUTHORIZED, "a bearer token is required: send the header 'Authorization: Bearer <token>'");
      return false;
    }
    if (config.accessCheck != null && !config.accessCheck.test(req)) {
      TraceStats.rejected(Rejection.FORBIDDEN);
      plain(resp, HttpServletResponse.SC_FORBIDDEN, "access to the livetrace endpoints was refused by the access check");
      return false;
    }
    return true;
  }

  private boolean hasToken(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, config.token); // constant time: no timing oracle on the token
  }

  private void index(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("text/html; charset=utf-8");
    String base = req.getContextPath() + req.getServletPath();
    resp.getWriter().write(IndexPage.render(base, config.maxSeconds, config.allowedSettings));
  }

  private void trace(HttpServletRequest req, HttpServletResponse resp, boolean headOnly) throws IOException {
    TraceParameters params;
    try {
      params =
          TraceParameters.parse(
              req.getParameter("seconds"),
              req.getParameter("settings"),
              config.maxSeconds,
              config.allowedSettings);
    } catch (BadRequest e) {
      TraceStats.rejected(Rejection.BAD_REQUEST);
      plain(resp, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    TraceOptions options =
        TraceOptions.defaults()
            .withConfiguration(params.configuration())
            .withChunkInterval(config.chunkInterval)
            .withDuration(params.duration());

    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("application/octet-stream");
    resp.setHeader("Content-Disposition", "attachment; filename=\"trace.jfr\"");
    if (headOnly) {
      if (Trace.isEnabled()) {
        TraceStats.rejected(Rejection.BUSY); // Trace.start counts the GET case
        busy(resp);
      }
      return;
    }
    TraceSession session;
    try {
      session = Trace.start(resp.getOutputStream(), options);
    } catch (IllegalStateException e) {
      busy(resp);
      return;
    } catch (SecurityException e) {
      resp.reset();
      plain(resp, HttpServletResponse.SC_CONFLICT, "cannot trace safely now: " + e.getMessage());
      return;
    } catch (UnsupportedOperationException e) {
      resp.reset();
      plain(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "cannot trace: " + e.getMessage());
      return;
    }
    running.add(session);
    try {
      // The session ends by itself after the duration, or earlier when a write fails because
      // the client went away; the margin covers the final chunk of a slow client.
      session.awaitTermination(params.duration().plus(config.chunkInterval.multipliedBy(2)).plusSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      session.stop();
      running.remove(session);
    }
    session.failure().ifPresent(f -> log("livetrace: trace ended early: " + f));
  }

  private void busy(HttpServletResponse resp) throws IOException {
    resp.reset();
    long retryAfter =
        Trace.activeSession()
            .flatMap(TraceSession::plannedEnd)
            .map(end -> Duration.between(Instant.now(), end))
            .map(left -> Math.max(1, (left.toMillis() + 999) / 1000))
            .orElse((long) Math.ceil(config.maxSeconds));
    resp.setHeader("Retry-After", Long.toString(retryAfter));
    plain(
        resp,
        429,
        "a trace is already running (tracing is already enabled); only one runs at a time. Retry in "
            + retryAfter
            + " s");
  }

  /** On every answer: a browser must not sniff a trace into HTML, nor a proxy keep one. */
  private static void safetyHeaders(HttpServletResponse resp) {
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Cache-Control", "no-store");
  }

  /** A text answer; again sets the safety headers, which {@code resp.reset()} has cleared. */
  private static void plain(HttpServletResponse resp, int status, String message) throws IOException {
    safetyHeaders(resp);
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    PrintWriter w = resp.getWriter();
    w.println(message);
  }

  /** The configuration, fixed when the servlet is built or initialized. */
  private static final class Config {
    final double maxSeconds;
    final Duration chunkInterval;
    final Set<String> allowedSettings; // the first is the default
    final byte[] token;
    final Predicate<HttpServletRequest> accessCheck;

    Config(Builder b) {
      this.maxSeconds = b.maxSeconds;
      this.chunkInterval = b.chunkInterval;
      this.allowedSettings = Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedSettings));
      this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
      this.accessCheck = b.accessCheck;
    }
  }

  /** Configuration of a {@link PprofServlet} in code. */
  public static final class Builder {
    private double maxSeconds = DEFAULT_MAX_SECONDS;
    private Duration chunkInterval = TraceOptions.DEFAULT_CHUNK_INTERVAL;
    private Set<String> allowedSettings = new LinkedHashSet<>(Arrays.asList("default", "profile"));
    private String token;
    private Predicate<HttpServletRequest> accessCheck;

    private Builder() {}

    /** The longest trace a request may ask for; default 60 s. */
    public Builder maxDuration(Duration max) {
      Objects.requireNonNull(max, "max");
      if (max.isNegative() || max.isZero()) {
        throw new IllegalArgumentException("max duration must be positive, was " + max);
      }
      this.maxSeconds = max.toNanos() / 1e9;
      return this;
    }

    /** How often a chunk is finished and streamed; default 1 s. */
    public Builder chunkInterval(Duration interval) {
      TraceOptions.defaults().withChunkInterval(interval); // checks the bounds
      this.chunkInterval = interval;
      return this;
    }

    /**
     * The JFR configurations a request may choose with {@code ?settings=}, by name; the first is
     * used when a request names none. Default: {@code default, profile}. Names only: a request
     * never supplies a file.
     */
    public Builder allowedSettings(String... names) {
      if (names.length == 0) {
        throw new IllegalArgumentException("allow at least one JFR configuration");
      }
      Set<String> set = new LinkedHashSet<>();
      for (String n : names) {
        TraceOptions.defaults().withConfiguration(n); // checks that the JVM has it
        set.add(n);
      }
      this.allowedSettings = set;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer <token>} on every request; others get 401. Null or
     * blank means no token.
     */
    public Builder bearerToken(String token) {
      this.token = token == null || token.isBlank() ? null : token.trim();
      return this;
    }

    /**
     * Requires {@code check} to accept every request (after the token, if any); others get 403.
     * For example {@code req -> req.isUserInRole("ops")}.
     */
    public Builder accessCheck(Predicate<HttpServletRequest> check) {
      this.accessCheck = check;
      return this;
    }

    public PprofServlet build() {
      return new PprofServlet(new Config(this));
    }

    @SuppressWarnings("unchecked")
    static Builder fromInitParameters(ServletConfig sc) throws ReflectiveOperationException {
      Builder b = new Builder();
      String max = sc.getInitParameter("max-seconds");
      if (max != null) {
        double seconds;
        try {
          seconds = Double.parseDouble(max.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("init-parameter max-seconds is not a number: '" + max + "'");
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
          throw new IllegalArgumentException("init-parameter max-seconds must be a positive number, was '" + max + "'");
        }
        b.maxSeconds = seconds;
      }
      String interval = sc.getInitParameter("chunk-interval");
      if (interval != null) {
        b.chunkInterval(Durations.parse(interval));
      }
      String allowed = sc.getInitParameter("allowed-settings");
      if (allowed != null) {
        b.allowedSettings(
            Arrays.stream(allowed.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new));
      }
      b.bearerToken(sc.getInitParameter("token"));
      String check = sc.getInitParameter("access-check");
      if (check != null && !check.isBlank()) {
        Class<?> type = Class.forName(check.trim(), true, Thread.currentThread().getContextClassLoader());
        b.accessCheck((Predicate<HttpServletRequest>) type.getDeclaredConstructor().newInstance());
      }
      return b;
    }

    @Override
    public String toString() {
      return "PprofServlet.Builder[maxSeconds="
          + maxSeconds
          + ", chunkInterval="
          + chunkInterval
          + ", allowedSettings="
          + String.join(",", allowedSettings)
          + ", token="
          + (token == null ? "none" : "set")
          + ", accessCheck="
          + (accessCheck == null ? "none" : accessCheck)
          + "]";
    }
  }
}
