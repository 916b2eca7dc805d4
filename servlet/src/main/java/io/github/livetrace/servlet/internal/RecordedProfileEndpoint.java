package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.ChunkReader;
import io.github.livetrace.internal.StartCheck;
import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.ProfileRecording;
import io.github.livetrace.internal.pprof.RecordedProfile;
import io.github.livetrace.servlet.internal.TraceParameters.BadRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A profile recorded for {@code seconds} on request, then served as pprof (gzipped protobuf, Go's
 * default), a flame graph ({@code format=html}), collapsed stacks ({@code format=collapsed}) or
 * the raw JFR recording ({@code format=jfr}). Each kind has its own subclass, one entry of the
 * servlet's table, as each of Go's profiles has its line.
 *
 * <p>The engine: async-profiler for the kinds it records ({@code profile}, {@code wall}, {@code mutex}) wherever
 * it loads ({@link AsyncProfilerEngine}), else JDK Flight Recorder; JFR always for the raw
 * recording and the other kinds. Every answer names its engine in {@link #ENGINE_HEADER}, HEAD's
 * too (the first HEAD or GET of such a kind loads async-profiler).
 *
 * <p>As in Go, a profile may run while a trace runs: it has its own short recording ({@link
 * ProfileRecording}) or async-profiler session, not the trace slot. One profile of each kind runs
 * at a time, and one async-profiler session in the JVM; a second request gets 429 with {@code
 * Retry-After}.
 *
 * <p>A client that leaves must stop its profile, yet nothing tells a servlet that its client left
 * until a write fails, and a profile has no content to write until its recording is over. So the
 * gzip formats (pprof always; html and collapsed when the client accepts gzip) send the status
 * line at once and then an empty deflate block every {@link #KEEP_ALIVE} ({@link GzipBody}): the
 * second write after the client left fails, and the recording is closed then. The raw recording
 * ({@code format=jfr}) and identity-encoded text are noticed at their first write, after the
 * recording; the recording is closed then too. Recording, dump file and slot are released on
 * every path.
 */
public abstract class RecordedProfileEndpoint implements Endpoint {
  /** How often a waiting gzip answer writes an empty block, to notice a client that left. */
  static final Duration KEEP_ALIVE = Duration.ofMillis(500);

  private final String name;
  private final ProfileKind kind; // what JFR records; null when only async-profiler can
  private final AsyncProfilerEngine.Mode asyncMode; // what async-profiler records; null when it does not
  private final AsyncProfilerEngine.Choice choice;
  private final double maxSeconds;
  private final Consumer<String> log;
  private final AtomicReference<Running> running = new AtomicReference<>();

  /** A kind that JFR records. */
  protected RecordedProfileEndpoint(ProfileKind kind, double maxSeconds, Consumer<String> log) {
    this(kind.path(), kind, null, AsyncProfilerEngine.Choice.JFR, maxSeconds, log);
  }

  /**
   * A kind that async-profiler records where it loads and {@code choice} allows, and JFR
   * ({@code kind}) otherwise; with no {@code kind}, nobody else.
   */
  protected RecordedProfileEndpoint(
      String name,
      ProfileKind kind,
      AsyncProfilerEngine.Mode asyncMode,
      AsyncProfilerEngine.Choice choice,
      double maxSeconds,
      Consumer<String> log) {
    this.name = name;
    this.kind = kind;
    this.asyncMode = asyncMode;
    this.choice = choice;
    this.maxSeconds = maxSeconds;
    this.log = log;
  }

  @Override
  public final String name() {
    return name;
  }

  /** The engine choice this endpoint was configured with. */
  protected final AsyncProfilerEngine.Choice choice() {
    return choice;
  }

  /** The index links to a short flame graph, which a browser shows. */
  @Override
  public final String example() {
    return name() + "?seconds=5&format=html";
  }

  /** How long, and in which formats: the end of every description. */
  protected final String parametersLine() {
    return " ?seconds=N (default "
        + TraceParameters.format(Math.min(ProfileParameters.DEFAULT_SECONDS, maxSeconds))
        + ", at most "
        + TraceParameters.format(maxSeconds)
        + "); &format=pprof (default), html (a flame graph), collapsed"
        + (kind == null ? "." : ", or jfr (JFR's recording" + (asyncMode != null ? ", whichever engine answers the others)." : ")."));
  }

  @Override
  public final void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException {
    if (!rest.isEmpty()) {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: " + name() + "/" + rest);
      return;
    }
    ProfileParameters params;
    try {
      params = ProfileParameters.recorded(req, name(), maxSeconds, kind == ProfileKind.HEAP);
      if (params.jfr() && kind == null) {
        throw new BadRequest("format=jfr is not available for " + name() + ": JDK Flight Recorder does not record it; ask for pprof, html or collapsed");
      }
    } catch (BadRequest e) {
      Responses.plain(resp, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    // Decided in one place for HEAD and GET; loads async-profiler the first time.
    Optional<String> asyncRefusal = asyncMode == null || params.jfr() ? Optional.of("") : AsyncProfilerEngine.load(choice);
    boolean async = asyncRefusal.isEmpty();
    if (!async && kind == null) {
      Responses.plain(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the " + name() + " profile needs async-profiler, which cannot run here: " + asyncRefusal.get());
      return;
    }
    if (req.getMethod().equals("HEAD")) {
      // What a GET would be answered, without recording: busy, refused by JFR, or the headers.
      Running current = running.get();
      Optional<Instant> asyncBusy = async && current == null ? AsyncProfilerEngine.runningUntil() : Optional.empty();
      Optional<StartCheck.Refusal> refusal = current == null && !async ? refusal(params) : Optional.empty();
      if (current != null) {
        busy(resp, current);
      } else if (asyncBusy.isPresent()) {
        asyncBusy(resp, asyncBusy.get());
      } else if (refusal.isPresent()) {
        Responses.refused(resp, "profile", refusal.get());
        return;
      } else {
        resp.setHeader(ENGINE_HEADER, async ? AsyncProfilerEngine.header(asyncMode) : engine(kind));
        ProfileOutput.headers(req, resp, name(), params.format());
      }
      resp.flushBuffer();
      return;
    }
    Running mine = new Running(Instant.now().plus(params.duration()));
    if (!running.compareAndSet(null, mine)) {
      Running current = running.get();
      busy(resp, current != null ? current : mine);
      return;
    }
    try {
      record(req, resp, params, mine, async);
    } finally {
      running.compareAndSet(mine, null);
    }
  }

  private void record(HttpServletRequest req, HttpServletResponse resp, ProfileParameters params, Running mine, boolean async)
      throws IOException {
    Optional<StartCheck.Refusal> refusal = async ? Optional.empty() : refusal(params);
    if (refusal.isPresent()) {
      Responses.refused(resp, "profile", refusal.get());
      return;
    }
    resp.setHeader(ENGINE_HEADER, async ? AsyncProfilerEngine.header(asyncMode) : engine(kind));
    ProfileOutput output = ProfileOutput.open(req, resp, name(), params.format()); // commits nothing
    RecordedProfile recording;
    try {
      recording = async ? AsyncProfilerEngine.start(asyncMode, params.duration()) : ProfileRecording.start(kind, params.duration());
    } catch (AsyncProfilerEngine.Busy e) {
      output.abandon();
      resp.reset();
      if (e.plannedEnd() != null) {
        asyncBusy(resp, e.plannedEnd());
      } else {
        Responses.plain(resp, HttpServletResponse.SC_CONFLICT, e.getMessage() + "; the " + name() + " profile cannot run while it does");
      }
      return;
    } catch (RuntimeException e) {
      output.abandon();
      resp.reset();
      Optional<StartCheck.Refusal> lateRefusal = StartCheck.Refusal.of(e);
      if (lateRefusal.isPresent()) {
        Responses.refused(resp, "profile", lateRefusal.get());
      } else {
        log.accept("livetrace: the " + name() + " profile's recording did not start: " + e);
        Responses.plain(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the " + name() + " profile's recording did not start: " + e.getMessage());
      }
      return;
    }
    boolean finished = false;
    try (recording) {
      Outcome outcome = mine.await(recording.plannedEnd(), output);
      if (outcome == Outcome.CLIENT_LEFT) {
        return;
      }
      if (outcome == Outcome.CANCELLED) {
        if (output.committed()) {
          throw new ProfileAbortedException("the server is stopping; the " + name() + " profile was cancelled");
        }
        Responses.plain(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the server is stopping; the " + name() + " profile was cancelled");
        return;
      }
      if (params.gc()) {
        System.gc(); // Go's heap?gc=1: samples of objects that are garbage are dropped at a GC
      }
      recording.stop();
      if (params.jfr()) {
        ((ProfileRecording) recording).writeJfr(output.body()); // format=jfr is always JFR's
      } else {
        params.format().write(recording.profile(), output.body());
      }
      output.finish();
      finished = true;
    } catch (ChunkReader.RefusedEventsException e) {
      resp.reset(); // nothing was written: a jfr answer is committed by its first chunk only
      Responses.plain(resp, HttpServletResponse.SC_CONFLICT, refusal(e.getMessage()));
    } catch (ProfileAbortedException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      if (output.clientFailed()) {
        return; // the client left: nobody to tell
      }
      log.accept("livetrace: the " + name() + " profile failed: " + e);
      if (!output.committed()) {
        resp.reset();
        Responses.plain(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the " + name() + " profile failed: " + e.getMessage());
        return;
      }
      throw new ProfileAbortedException("the " + name() + " profile failed");
    } finally {
      if (!finished) {
        output.abandon();
      }
    }
  }

  /**
   * Why JFR would refuse this profile now, decided in one place for HEAD and GET: JFR missing, or,
   * for the raw recording, another recording whose secret-bearing events JFR would put in it.
   */
  private static Optional<StartCheck.Refusal> refusal(ProfileParameters params) {
    return params.jfr()
        ? StartCheck.recording("the raw recording", "; the pprof, html and collapsed formats hold stacks only")
        : StartCheck.jfr();
  }

  /** Names the engine that recorded a profile and its events, as the pprof comments do. */
  static final String ENGINE_HEADER = "X-Livetrace-Profile-Engine";

  /**
   * The header's value for JFR: {@code jfr; events=...}, and for a CPU profile from {@code
   * jdk.ExecutionSample} before JDK 25, what it cannot see. async-profiler's: {@link
   * AsyncProfilerEngine#header}.
   */
  static String engine(ProfileKind kind) {
    if (kind == ProfileKind.CPU) {
      if (ProfileRecording.cpuTimeSampling()) {
        return "jfr; events=jdk.CPUTimeSample";
      }
      return "jfr; events=jdk.ExecutionSample"
          + (Runtime.version().feature() < 25 ? "; not-seen=stubs,intrinsics,vm-leaf-calls,native-code" : "; not-seen=native-code");
    }
    return "jfr; events=" + String.join(",", kind.events());
  }

  private static String refusal(String why) {
    return "cannot serve the raw recording: it would hold events that carry secrets (environment,"
        + " properties, command lines); " + why + ". The other formats hold stacks only";
  }

  private void asyncBusy(HttpServletResponse resp, Instant plannedEnd) throws IOException {
    Responses.busy(resp, plannedEnd.plusSeconds(1), (long) Math.ceil(maxSeconds), "another request's async-profiler profile (profile, wall or mutex) is running in this JVM");
  }

  private void busy(HttpServletResponse resp, Running current) throws IOException {
    // The conversion after the recording takes well under a second.
    Responses.busy(resp, current.plannedEnd.plusSeconds(1), (long) Math.ceil(maxSeconds), "another request's " + name() + " is running (profiles of other kinds may run alongside)");
  }

  @Override
  public void destroy() {
    Running current = running.get();
    if (current != null) {
      current.cancel();
    }
  }

  /** How the wait for a recording's end ended. */
  private enum Outcome {
    DONE,
    CLIENT_LEFT,
    CANCELLED
  }

  /** The profile of this kind that is recording, and how to end it early. */
  private static final class Running {
    final Instant plannedEnd;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    Running(Instant plannedEnd) {
      this.plannedEnd = plannedEnd;
    }

    void cancel() {
      cancelled.countDown();
    }

    /** Waits until {@code end}, keeping a gzip answer alive, unless the client leaves or a cancel comes first. */
    Outcome await(Instant end, ProfileOutput output) throws IOException {
      try {
        if (output.canKeepAlive()) {
          output.keepAlive(); // the status line now: the recording runs
        }
        while (true) {
          long left = Duration.between(Instant.now(), end).toNanos();
          if (left <= 0) {
            return Outcome.DONE;
          }
          long wait = output.canKeepAlive() ? Math.min(left, KEEP_ALIVE.toNanos()) : left;
          if (cancelled.await(wait, TimeUnit.NANOSECONDS)) {
            return Outcome.CANCELLED;
          }
          if (output.canKeepAlive()) {
            output.keepAlive();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.CANCELLED;
      } catch (IOException e) {
        if (output.clientFailed()) {
          return Outcome.CLIENT_LEFT;
        }
        throw e;
      }
    }
  }

  /**
   * Thrown after the answer was committed, which makes the container abort it (no final chunk),
   * so that the client sees the failure rather than a short profile. No stack trace: it was logged.
   */
  static final class ProfileAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    ProfileAbortedException(String why) {
      super("livetrace aborted the response: " + why);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
