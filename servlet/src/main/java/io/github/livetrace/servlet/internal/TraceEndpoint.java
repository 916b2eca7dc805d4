package io.github.livetrace.servlet.internal;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceFailure;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.StartCheck;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.TraceStats.Rejection;
import io.github.livetrace.servlet.internal.TraceParameters.BadRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@code trace?seconds=N}: a live JFR trace, streamed chunk by chunk while it records.
 *
 * <p>The status line and headers go out as soon as the recording runs, so a client that has them
 * knows that every event from then on is in the trace. The first chunk follows about a quarter of
 * a second later, then one per chunk interval. The response ends with HTTP's final zero-length
 * chunk (and, with zstd or gzip, the end of its stream) only when the trace ran its full duration; a trace that
 * livetrace cut short (see {@link TraceFailure.Reason}) is aborted instead, so that {@code curl}
 * and every HTTP client report the cut rather than keep a short file that looks complete.
 */
public final class TraceEndpoint implements Endpoint {
  private final double maxSeconds;
  private final Set<String> allowedSettings;
  private final Duration chunkInterval;
  private final Duration writeTimeout;
  private final Consumer<String> log;
  private final Set<TraceSession> running = ConcurrentHashMap.newKeySet();

  public TraceEndpoint(
      double maxSeconds, Set<String> allowedSettings, Duration chunkInterval, Duration writeTimeout, Consumer<String> log) {
    this.maxSeconds = maxSeconds;
    this.allowedSettings = allowedSettings;
    this.chunkInterval = chunkInterval;
    this.writeTimeout = writeTimeout;
    this.log = log;
  }

  @Override
  public String name() {
    return "trace";
  }

  @Override
  public String example() {
    return "trace?seconds=5";
  }

  @Override
  public String description() {
    return "A JDK Flight Recorder trace of the running JVM, with the application's tasks, regions and logs,"
        + " streamed chunk by chunk while it records. ?seconds=N: how long (default 1, at most "
        + TraceParameters.format(maxSeconds)
        + "); &settings=: the JFR configuration, one of "
        + String.join(", ", allowedSettings)
        + "; &start=: when to start (epoch ms or ISO-8601, at most "
        + TraceParameters.MAX_START_AHEAD.toSeconds()
        + " s ahead), so that many JVMs record one window.";
  }

  @Override
  public void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException {
    if (!rest.isEmpty()) {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: trace/" + rest);
      return;
    }
    TraceParameters params;
    try {
      params = TraceParameters.parse(req.getParameter("seconds"), req.getParameter("settings"), maxSeconds, allowedSettings);
    } catch (BadRequest e) {
      TraceStats.rejected(Rejection.BAD_REQUEST);
      Responses.plain(resp, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    java.time.Instant start;
    try {
      start = TraceParameters.parseStart(req.getParameter("start"), java.time.Instant.now());
    } catch (BadRequest e) {
      TraceStats.rejected(Rejection.BAD_REQUEST);
      Responses.plain(resp, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    TraceOptions options =
        TraceOptions.defaults()
            .withConfiguration(params.configuration())
            .withChunkInterval(chunkInterval)
            .withDuration(params.duration())
            .withWriteTimeout(writeTimeout);
    ContentCoding coding = StreamedResponse.headers(req, resp, "trace.jfr");
    if (req.getMethod().equals("HEAD")) {
      // What Trace.start would decide, in its order, without starting anything.
      if (Trace.isEnabled()) {
        TraceStats.rejected(Rejection.BUSY); // Trace.start counts the GET case
        busy(resp);
        return;
      }
      Optional<StartCheck.Refusal> refusal = StartCheck.trace(options);
      if (refusal.isPresent()) {
        TraceStats.rejected(Rejection.UNAVAILABLE);
        Responses.refused(resp, "trace", refusal.get());
        return;
      }
      // Sent now, so that the container adds no Content-Length: 0, a length the GET's body,
      // streamed with no known length, would not have.
      resp.flushBuffer();
      return;
    }
    if (!waitUntil(start)) {
      return; // interrupted: the server is stopping
    }
    TraceFailure failure;
    try (StreamedResponse response = StreamedResponse.open(resp, coding)) {
      TraceSession session;
      try {
        session = Trace.start(response.body(), options);
      } catch (IllegalStateException e) {
        busy(resp);
        return;
      } catch (UnsupportedOperationException | SecurityException e) {
        Responses.refused(resp, "trace", StartCheck.Refusal.of(e).orElseThrow());
        return;
      }
      running.add(session);
      try {
        response.commit(); // the status line now means "recording"
        // The core ends the trace at its duration and lets the output take at most the write
        // timeout more; the margin only guards against a bug there.
        session.awaitTermination(params.duration().plus(writeTimeout).plus(chunkInterval).plusSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // The client left before the headers went out; the session sees it at its first write.
      } finally {
        session.stop();
        running.remove(session);
      }
      failure = session.failure().orElse(null);
      if (failure == null) {
        response.finish();
        return;
      }
    }
    if (failure.reason() == TraceFailure.Reason.OUTPUT) {
      return; // the client went away: nobody is left to tell
    }
    log.accept("trace cut short, aborting the response (" + failure.reason().tag() + "): " + failure.getMessage());
    throw new TraceAbortedException(failure);
  }

  /**
   * Waits for {@code start} ({@code &start=}, at most {@link TraceParameters#MAX_START_AHEAD}
   * ahead): many JVMs asked at one instant record the same window, whatever way each request took.
   */
  private static boolean waitUntil(java.time.Instant start) {
    for (long left = java.time.Duration.between(java.time.Instant.now(), start).toNanos(); left > 0;
        left = java.time.Duration.between(java.time.Instant.now(), start).toNanos()) {
      java.util.concurrent.locks.LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    return true;
  }

  private void busy(HttpServletResponse resp) throws IOException {
    Responses.busy(
        resp,
        Trace.activeSession().flatMap(TraceSession::expectedEnd).orElse(null),
        (long) Math.ceil(maxSeconds),
        "a trace is already running");
  }

  @Override
  public void destroy() {
    for (TraceSession session : running) {
      session.stop();
    }
  }

  /**
   * Thrown out of the servlet after the response was committed, which is how a servlet makes the
   * container abort it: Jetty and Tomcat then close the connection without the final chunk. No
   * stack trace: the reason was logged, and the container may log this too.
   */
  static final class TraceAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    TraceAbortedException(TraceFailure failure) {
      super("livetrace aborted the response: the trace was cut short (" + failure.reason().tag() + ")");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
