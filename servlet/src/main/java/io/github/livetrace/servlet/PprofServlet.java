package io.github.livetrace.servlet;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.TraceStats.Rejection;
import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import io.github.livetrace.servlet.internal.AllocsEndpoint;
import io.github.livetrace.servlet.internal.BlockEndpoint;
import io.github.livetrace.servlet.internal.CmdlineEndpoint;
import io.github.livetrace.servlet.internal.CpuProfileEndpoint;
import io.github.livetrace.servlet.internal.Endpoint;
import io.github.livetrace.servlet.internal.FlightRecorderEndpoint;
import io.github.livetrace.servlet.internal.FlightRecorderParameters;
import io.github.livetrace.servlet.internal.GoroutineEndpoint;
import io.github.livetrace.servlet.internal.HeapEndpoint;
import io.github.livetrace.servlet.internal.IndexPage;
import io.github.livetrace.servlet.internal.MutexEndpoint;
import io.github.livetrace.servlet.internal.Responses;
import io.github.livetrace.servlet.internal.TraceEndpoint;
import io.github.livetrace.servlet.internal.WallProfileEndpoint;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Serves live JFR traces the way Go's {@code net/http/pprof} serves execution traces. Map it at
 * {@code /debug/pprof/*}:
 *
 * <ul>
 *   <li>{@code GET /debug/pprof/trace?seconds=5} streams a 5 s trace as it is recorded, as {@code
 *       trace.jfr}: the status line as soon as the recording runs, the first JFR chunk a quarter
 *       of a second later, then one per second. {@code seconds} may be fractional; absent, it is
 *       1. {@code &settings=profile} picks another allowed JFR configuration. zstd- or
 *       gzip-compressed when the client accepts it ({@code curl --compressed} gets zstd), a block
 *       flushed at every chunk; so are the flight recorder's window, its snapshots and {@code
 *       format=jfr} profiles. zstd comes from zstd-jni's native library; where it cannot load,
 *       gzip.
 *   <li>{@code GET /debug/pprof/flightrecorder} downloads the {@link FlightRecorder}'s window, the
 *       last seconds of the trace ending now (404 when no flight recorder runs, 429 while another
 *       download of it runs); {@code /flightrecorder/snapshots} lists the windows kept when a task
 *       was slow (text, or JSON with {@code Accept: application/json}) and {@code
 *       /flightrecorder/snapshots/NAME} downloads one.
 *   <li>{@code GET /debug/pprof/profile?seconds=30}, {@code allocs}, {@code heap}, {@code mutex},
 *       {@code block}: profiles recorded for {@code seconds} (default 30, at most {@code
 *       max-seconds}), served as Go serves them (gzipped pprof protobuf, which {@code go tool
 *       pprof} reads), or {@code &format=html} (a flame graph), {@code collapsed}, {@code jfr}.
 *       One of each kind at a time, alongside a trace. The CPU and mutex profiles come from
 *       async-profiler where it loads (see {@link Builder#profiler}), else from JFR; the others
 *       from JFR. Not in
 *       Go's: {@code wall}, every thread's wall-clock time, running or waiting (async-profiler).
 *       Each names its engine in the header {@code X-Livetrace-Profile-Engine}. {@code goroutine}: every thread's stack
 *       ({@code ?debug=1}, {@code ?debug=2}: text). {@code cmdline} is not served: it carries
 *       secrets.
 *   <li>{@code GET /debug/pprof/} is an HTML index of the endpoints, built from the same table
 *       the servlet routes by, as Go's is. Any other name is 404.
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
 * 405 for methods other than GET and HEAD; 429 with {@code Retry-After} (when the running trace
 * is expected to end) while another trace runs (only one runs per JVM); 409 when another
 * recording in the JVM would leak secret-bearing events into the trace; 503 when JFR is not
 * available. None of them starts a recording.
 *
 * <p>A trace that runs its full duration ends with HTTP's final zero-length chunk. One that
 * livetrace ends early ({@link io.github.livetrace.TraceFailure.Reason}: a client too slow for the
 * write timeout, another recording putting secret-bearing events in the chunks, its recording
 * stopped from outside, a JFR error) is logged, counted ({@code livetrace.traces.failed}) and the
 * response aborted, without the final chunk, so that every client reports the cut rather than
 * keep a short file that looks complete. A client that disconnects is noticed at the next chunk
 * write; its trace stops and releases everything.
 *
 * <p>With no access check configured the servlet serves anyone, as Go's does. Restrict it: set a
 * bearer token or an access check, map it on a port that is not published, or put it behind the
 * container's own security.
 *
 * <p>Configured with {@link #builder()}, or, when created by the container, with init-parameters:
 * {@code max-seconds} (default 60), {@code chunk-interval} (default {@code 1s}), {@code
 * write-timeout} (default {@code 10s}), {@code allowed-settings} (comma-separated, default {@code
 * default,profile}; the first is used when the request names none), {@code token} (a bearer
 * token), {@code access-check} (the class name of a {@code Predicate<HttpServletRequest>} with a
 * public no-argument constructor), {@code profiler} ({@code auto}, {@code async-profiler} or {@code
 * jfr}; see {@link Builder#profiler}) and {@code warm-up} ({@code true} by default: JFR's one-time
 * start-up costs are paid in the background at init, see {@link io.github.livetrace.Trace#warmUp()}).
 *
 * <p>The flight recorder: {@link Builder#flightRecorder} or the init-parameter {@code
 * flight-recorder=true} makes the servlet start one at init and stop it when destroyed, with
 * {@code flight-recorder.min-age}, {@code flight-recorder.max-bytes}, {@code
 * flight-recorder.snapshots.directory}, {@code .max-count}, {@code .max-total-size}, {@code
 * .min-interval}, {@code .delay} and {@code .slow-tasks} ({@code order=40ms,
 * http.server.requests=2s}); give it {@code load-on-startup} so that the container initializes it,
 * and the recording starts, with the application rather than at the first request. Without them
 * the servlet serves the flight recorder the application (or the Spring Boot starter) started, if
 * any.
 */
public class PprofServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /**
   * The header that carries the token where {@code Authorization} cannot: the Kubernetes API
   * server authenticates a pods/proxy request with {@code Authorization} and removes it before
   * forwarding, so {@code livetrace pull} sends the token in this header.
   */
  public static final String TOKEN_HEADER = "X-Livetrace-Token";

  /** Default cap on {@code seconds}. */
  public static final double DEFAULT_MAX_SECONDS = 60;

  private transient Config config; // from the builder, or from the init-parameters in init
  private transient Map<String, Endpoint> endpoints; // the table, in index order
  private transient FlightRecorder flightRecorder; // started by this servlet, stopped in destroy

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
    Map<String, Endpoint> table = new LinkedHashMap<>();
    for (Endpoint e :
        List.<Endpoint>of(
            new TraceEndpoint(config.maxSeconds, config.allowedSettings, config.chunkInterval, config.writeTimeout, this::log),
            new FlightRecorderEndpoint(FlightRecorder::current, this::log))) {
      table.put(e.name(), e);
    }
    // The rest of Go's /debug/pprof/, in Go's (alphabetical) order.
    for (Endpoint e :
        List.<Endpoint>of(
            new AllocsEndpoint(config.maxSeconds, this::log),
            new BlockEndpoint(config.maxSeconds, this::log),
            new CmdlineEndpoint(),
            new GoroutineEndpoint(),
            new HeapEndpoint(config.maxSeconds, this::log),
            new MutexEndpoint(config.maxSeconds, config.profiler, this::log),
            new CpuProfileEndpoint(config.maxSeconds, config.profiler, this::log),
            // Not Go's: a wall-clock profile (fgprof's), after Go's CPU profile.
            new WallProfileEndpoint(config.maxSeconds, config.profiler, this::log))) {
      table.put(e.name(), e);
    }
    endpoints = table;
    if (config.warmUp) {
      Trace.warmUp();
    }
    startFlightRecorder();
  }

  /**
   * A flight recorder that cannot start (no JFR, another recording with secret-bearing events,
   * another flight recorder) is never fatal: traces still work. The core logs why at WARNING,
   * {@code /flightrecorder} and the index say it, and it starts once the obstacle goes away.
   */
  private void startFlightRecorder() {
    if (config.flightRecorder == null) {
      return;
    }
    flightRecorder = new FlightRecorder(config.flightRecorder);
    flightRecorder.startWhenPossible();
  }

  /** Ends what the endpoints still run, so that a server shutdown ends a trace cleanly. */
  @Override
  public void destroy() {
    if (endpoints != null) {
      endpoints.values().forEach(Endpoint::destroy);
    }
    if (flightRecorder != null) {
      flightRecorder.stop();
    }
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Responses.safetyHeaders(resp);
    String method = req.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      TraceStats.rejected(Rejection.BAD_REQUEST);
      resp.setHeader("Allow", "GET, HEAD");
      Responses.plain(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + method + " is not allowed; use GET");
      return;
    }
    if (!accessGranted(req, resp)) {
      return;
    }
    String path = req.getPathInfo() == null ? "" : req.getPathInfo().replaceFirst("^/", "");
    if (path.isEmpty()) {
      resp.setStatus(HttpServletResponse.SC_OK);
      resp.setContentType("text/html; charset=utf-8");
      resp.getWriter().write(IndexPage.render(req.getContextPath() + req.getServletPath(), List.copyOf(endpoints.values())));
      return;
    }
    int slash = path.indexOf('/');
    String name = slash < 0 ? path : path.substring(0, slash);
    Endpoint endpoint = endpoints.get(name);
    if (endpoint == null) {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: " + name);
      return;
    }
    endpoint.serve(req, resp, slash < 0 ? "" : path.substring(slash + 1));
  }

  private boolean accessGranted(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (config.token != null && !hasToken(req.getHeader("Authorization")) && !matches(req.getHeader(TOKEN_HEADER))) {
      TraceStats.rejected(Rejection.UNAUTHORIZED);
      resp.setHeader("WWW-Authenticate", "Bearer realm=\"livetrace\"");
      Responses.plain(
          resp,
          HttpServletResponse.SC_UNAUTHORIZED,
          "a bearer token is required: send the header 'Authorization: Bearer <token>' (or '" + TOKEN_HEADER + ": <token>' through a proxy that keeps Authorization for itself)");
      return false;
    }
    if (config.accessCheck != null && !config.accessCheck.test(req)) {
      TraceStats.rejected(Rejection.FORBIDDEN);
      Responses.plain(resp, HttpServletResponse.SC_FORBIDDEN, "access to the livetrace endpoints was refused by the access check");
      return false;
    }
    return true;
  }

  private boolean hasToken(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return matches(authorization.substring(7));
  }

  private boolean matches(String token) {
    if (token == null) {
      return false;
    }
    byte[] given = token.trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, config.token); // constant time: no timing oracle on the token
  }

  /** The configuration, fixed when the servlet is built or initialized. */
  private static final class Config {
    final double maxSeconds;
    final Duration chunkInterval;
    final Set<String> allowedSettings; // the first is the default
    final Duration writeTimeout;
    final byte[] token;
    final Predicate<HttpServletRequest> accessCheck;
    final boolean warmUp;
    final FlightRecorderOptions flightRecorder; // null: serve the one the application runs, if any
    final AsyncProfilerEngine.Choice profiler;

    Config(Builder b) {
      this.profiler = b.profiler != null ? b.profiler : AsyncProfilerEngine.Choice.fromSystemProperty();
      this.maxSeconds = b.maxSeconds;
      this.chunkInterval = b.chunkInterval;
      this.writeTimeout = b.writeTimeout;
      this.warmUp = b.warmUp;
      this.allowedSettings = Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedSettings));
      this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
      this.accessCheck = b.accessCheck;
      this.flightRecorder = b.flightRecorder;
    }
  }

  /** Configuration of a {@link PprofServlet} in code. */
  public static final class Builder {
    private double maxSeconds = DEFAULT_MAX_SECONDS;
    private Duration chunkInterval = TraceOptions.DEFAULT_CHUNK_INTERVAL;
    private Duration writeTimeout = TraceOptions.DEFAULT_WRITE_TIMEOUT;
    private boolean warmUp = true;
    private Set<String> allowedSettings = new LinkedHashSet<>(Arrays.asList("default", "profile"));
    private String token;
    private Predicate<HttpServletRequest> accessCheck;
    private FlightRecorderOptions flightRecorder;
    private AsyncProfilerEngine.Choice profiler; // null: the livetrace.profiler system property's

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
     * How long a finished chunk may wait for a slow client; default 10 s. A client that does not
     * take it in time gets an aborted response, and the trace slot is free again. The recording
     * itself always ends at the requested duration, whatever the client does.
     */
    public Builder writeTimeout(Duration timeout) {
      TraceOptions.defaults().withWriteTimeout(timeout); // checks the bounds
      this.writeTimeout = timeout;
      return this;
    }

    /**
     * Whether to pay JFR's one-time start-up costs in the background when the servlet is
     * initialized ({@link Trace#warmUp()}), so that the first trace starts as fast as later ones;
     * default true.
     */
    public Builder warmUp(boolean enabled) {
      this.warmUp = enabled;
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
     * Requires {@code Authorization: Bearer <token>}, or the token in {@link #TOKEN_HEADER}, on
     * every request; others get 401. Null or blank means no token.
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

    /**
     * Starts a {@link FlightRecorder} with these options when the servlet is initialized, and
     * stops it when the servlet is destroyed; {@code /flightrecorder} serves its window and
     * snapshots. For example {@code FlightRecorderOptions.defaults().withSnapshotOnSlowTask("order",
     * Duration.ofMillis(40))}. Without this the servlet serves the flight recorder the application
     * runs, if any.
     */
    public Builder flightRecorder(FlightRecorderOptions options) {
      this.flightRecorder = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * The engine of the CPU ({@code profile}), wall-clock ({@code wall}) and lock contention
     * ({@code mutex}) profiles: {@code auto} (the default) or {@code async-profiler}:
     * async-profiler where its native library loads, loaded at the first such profile, else JDK
     * Flight Recorder; {@code jfr}: JFR only, never loading a native library (then {@code wall}
     * answers 503). For example {@code PprofServlet.builder().profiler("jfr").build()}. Without this, the system property
     * {@code livetrace.profiler} decides. The other profiles, the raw recording ({@code
     * format=jfr}) and the trace are always JFR's.
     *
     * @throws IllegalArgumentException for another value
     */
    public Builder profiler(String engine) {
      this.profiler = AsyncProfilerEngine.Choice.parse(Objects.requireNonNull(engine, "engine"));
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
      String writeTimeout = sc.getInitParameter("write-timeout");
      if (writeTimeout != null) {
        b.writeTimeout(Durations.parse(writeTimeout));
      }
      String warmUp = sc.getInitParameter("warm-up");
      if (warmUp != null) {
        if (!warmUp.trim().equalsIgnoreCase("true") && !warmUp.trim().equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("init-parameter warm-up must be true or false, was '" + warmUp + "'");
        }
        b.warmUp(Boolean.parseBoolean(warmUp.trim()));
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
      String profiler = sc.getInitParameter("profiler");
      if (profiler != null) {
        try {
          b.profiler(profiler);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("init-parameter profiler must be auto, async-profiler or jfr, was '" + profiler + "'");
        }
      }
      FlightRecorderOptions flightRecorder = FlightRecorderParameters.parse(sc::getInitParameter);
      if (flightRecorder != null) {
        b.flightRecorder(flightRecorder);
      }
      return b;
    }

    @Override
    public String toString() {
      return "PprofServlet.Builder[maxSeconds="
          + maxSeconds
          + ", chunkInterval="
          + chunkInterval
          + ", writeTimeout="
          + writeTimeout
          + ", warmUp="
          + warmUp
          + ", allowedSettings="
          + String.join(",", allowedSettings)
          + ", token="
          + (token == null ? "none" : "set")
          + ", accessCheck="
          + (accessCheck == null ? "none" : accessCheck)
          + ", flightRecorder="
          + (flightRecorder == null ? "none" : flightRecorder)
          + ", profiler="
          + (profiler == null ? "from " + AsyncProfilerEngine.PROPERTY : profiler.id())
          + "]";
    }
  }
}
