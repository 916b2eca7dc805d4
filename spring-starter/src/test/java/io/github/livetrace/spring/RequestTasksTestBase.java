package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceSession;
import io.github.livetrace.testing.RawHttp;
import io.github.livetrace.testing.TraceContents;
import io.github.livetrace.testing.TraceFiles;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.FlightRecorder;
import jdk.management.jfr.FlightRecorderMXBean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.web.context.WebApplicationContext;

/**
 * The starter's main promise, on a real server: a trace downloaded from {@code
 * /debug/pprof/trace} while requests hit the application holds one task per request, named after
 * the observation, with the client call of a request as its child; and the livetrace meters move.
 * Subclasses run it on Tomcat and on Jetty.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class RequestTasksTestBase {
  private static final String SERVER = "http.server.requests";
  private static final String CLIENT = "http.client.requests";

  @Autowired Environment environment;
  @Autowired MeterRegistry meters;
  @Autowired WebApplicationContext context;

  /** Part of the servlet container's server info, such as {@code tomcat}. */
  abstract String expectedServer();

  @Test
  void runsOnTheExpectedServer() {
    String info = context.getServletContext().getServerInfo().toLowerCase(Locale.ROOT);
    assertTrue(info.contains(expectedServer()), "server is " + info + ", expected " + expectedServer());
  }

  @Test
  void traceHoldsOneTaskPerRequestAndTheMetersMove() throws Exception {
    String app = Http.app(environment);
    // The first requests initialise Spring MVC and the client; keep that out of the trace.
    long serverWarmUp = taskCount(SERVER) + 3; // /greet/0, /chain/0 and the call it makes
    long clientWarmUp = taskCount(CLIENT) + 1;
    assertEquals(200, Http.get(app + "/greet/0").statusCode());
    assertEquals(200, Http.get(app + "/chain/0").statusCode());
    // A client may have a response before the server ends its request's task: the counts below
    // must not move for the warm-up, or the wait for the traced requests would end early.
    assertTrue(
        eventually(30, () -> taskCount(SERVER) >= serverWarmUp && taskCount(CLIENT) >= clientWarmUp),
        "the warm-up requests' tasks did not end");
    double started = counter("livetrace.traces.started");
    double busy = rejected("busy");
    double streamed = counter("livetrace.traces.streamed");
    long serverTasks = taskCount(SERVER);
    long clientTasks = taskCount(CLIENT);

    // A long trace, stopped once the requests are done: however slow the machine, they are inside.
    CompletableFuture<HttpResponse<byte[]>> download = Http.getBytesAsync(app + "/debug/pprof/trace?seconds=30");
    assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
    assertTrue(eventually(30, () -> gauge("livetrace.traces.active") == 1.0), "livetrace.traces.active is not 1");

    HttpResponse<String> second = Http.get(app + "/debug/pprof/trace?seconds=1");
    assertEquals(429, second.statusCode(), second.body());
    assertTrue(second.headers().firstValue("Retry-After").isPresent());
    for (int n = 1; n <= 5; n++) {
      HttpResponse<String> greeting = Http.get(app + "/greet/" + n);
      assertEquals("hello " + n, greeting.body());
    }
    assertEquals("chained hello 100", Http.get(app + "/chain/100").body());
    // Wait for the seven ends (five greetings, the chain and the call it made), then stop.
    assertTrue(
        eventually(30, () -> taskCount(SERVER) >= serverTasks + 7 && taskCount(CLIENT) >= clientTasks + 1),
        "the requests' tasks did not end");
    Trace.stop();

    HttpResponse<byte[]> response = download.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
    byte[] trace = response.body();
    assertFalse(TraceFiles.chunks(trace).isEmpty());

    TraceContents contents = new TraceContents(trace);
    Set<Long> seen = new HashSet<>();
    for (int n = 1; n <= 5; n++) {
      long task = onlyServerTask(contents, "/greet/" + n);
      assertTrue(seen.add(task), "two requests share task " + task);
      assertEquals(SERVER, contents.typeOf(task));
      assertTrue(contents.ended(task), "request task " + task + " did not end");
      assertTrue(contents.hasRegion(task, SERVER), "no region for the scope of request task " + task);
      assertTrue(contents.hasLog(task, "greet", "hello " + n), "the controller's log is not in its request's task");
    }

    long chain = onlyServerTask(contents, "/chain/100");
    Set<Long> calls = new HashSet<>();
    for (long task : contents.tasksOfType(CLIENT)) {
      if (contents.parentOf(task) == chain) {
        calls.add(task);
      }
    }
    assertEquals(1, calls.size(), "client tasks under the /chain request: " + calls);
    assertTrue(contents.ended(calls.iterator().next()));
    long called = onlyServerTask(contents, "/greet/100");
    assertTrue(contents.ended(called));

    assertEquals(
        Set.of(), contents.observationTasksWith(SERVER, "http.url=/debug/pprof/trace"), "a trace request is a task");
    assertNull(
        meters.find("http.server.requests").tag("uri", "UNKNOWN").timer(),
        "trace requests count in the application's http.server.requests");

    String printed = TraceFiles.jfr(trace, "print", "--events", "livetrace.TaskEnd");
    assertTrue(printed.contains("taskType = \"" + SERVER + "\""), printed);
    assertTrue(printed.contains("taskType = \"" + CLIENT + "\""), printed);

    assertTrue(eventually(30, () -> gauge("livetrace.traces.active") == 0.0), "livetrace.traces.active stays 1");
    assertTrue(counter("livetrace.traces.started") >= started + 1);
    assertTrue(rejected("busy") >= busy + 1);
    assertTrue(counter("livetrace.traces.streamed") >= streamed + trace.length);
    assertTrue(taskCount(SERVER) >= serverTasks + 7, "livetrace.task{type=http.server.requests} did not move");
    assertTrue(taskCount(CLIENT) >= clientTasks + 1, "livetrace.task{type=http.client.requests} did not move");
  }

  /**
   * A trace that livetrace ends early (here: its recording stopped from outside, as JDK Mission
   * Control does) must not look complete on this container either: the response is aborted, with
   * no final zero-length chunk, and the failure counted; the chunks sent before stay readable.
   */
  @Test
  void aTraceCutShortIsAbortedNotCompleted() throws Exception {
    double failed = meters.get("livetrace.traces.failed").tag("reason", "recording_closed").functionCounter().count();
    int port = Integer.parseInt(environment.getRequiredProperty("local.server.port"));
    try (RawHttp http = new RawHttp(port, 0)) {
      http.send("GET", "/debug/pprof/trace?seconds=30").readHead();
      assertEquals(200, http.status);
      CompletableFuture<RawHttp.Body> body =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return http.readChunked(null);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      TraceSession session = Trace.activeSession().orElseThrow();
      assertTrue(eventually(60, () -> session.chunksWritten() >= 1), "no chunk came");
      long id =
          FlightRecorder.getFlightRecorder().getRecordings().stream()
              .filter(r -> r.getName().equals("livetrace"))
              .findFirst()
              .orElseThrow()
              .getId();
      ManagementFactory.getPlatformMXBean(FlightRecorderMXBean.class).stopRecording(id);
      RawHttp.Body cut = body.get(60, TimeUnit.SECONDS);
      assertFalse(cut.complete(), "a cut trace ended like a complete one on " + expectedServer());
      assertTrue(TraceFiles.chunks(cut.bytes()).size() >= 1, "the chunks before the cut are whole");
    }
    assertTrue(
        eventually(30, () -> meters.get("livetrace.traces.failed").tag("reason", "recording_closed").functionCounter().count() >= failed + 1),
        "livetrace.traces.failed{reason=recording_closed} did not move");
  }

  /**
   * Issue 8: on JDK 17, requests served right after a chunk rotation, or right after the start of
   * a trace that followed another, by a server thread that had not written a JFR event since,
   * lost every string JFR pools (17 to 127 chars): here the task and region type {@code
   * http.server.requests} and the controller's log. A short trace, then a longer one with a few
   * requests after each of its first rotations, so that they land on server threads in that
   * state.
   */
  @Test
  void pooledStringsSurviveConsecutiveTracesAndRotations() throws Exception {
    String app = Http.app(environment);
    long before = taskCount(SERVER);
    assertEquals("order 0", Http.get(app + "/order/0").body()); // Spring MVC's first request
    assertTrue(eventually(30, () -> taskCount(SERVER) > before), "the first request's task did not end");

    CompletableFuture<HttpResponse<byte[]>> shortTrace = Http.getBytesAsync(app + "/debug/pprof/trace?seconds=0.5");
    assertTrue(eventually(30, Trace::isEnabled), "the short trace did not start");
    for (int n = 1; n <= 3; n++) {
      assertEquals("order " + n, Http.get(app + "/order/" + n).body());
    }
    HttpResponse<byte[]> first = shortTrace.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, first.statusCode());
    assertTrue(eventually(30, () -> !Trace.isEnabled()), "the short trace did not end");

    long serverTasks = taskCount(SERVER);
    CompletableFuture<HttpResponse<byte[]>> download = Http.getBytesAsync(app + "/debug/pprof/trace?seconds=30");
    assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
    TraceSession session = Trace.activeSession().orElseThrow();
    int requests = 0;
    for (int round = 0; round < 4; round++) {
      if (round > 0) {
        int chunks = session.chunksWritten();
        assertTrue(eventually(30, () -> session.chunksWritten() > chunks), "no chunk in round " + round);
      }
      for (int i = 0; i < 3; i++) {
        requests++;
        assertEquals("order " + (100 + requests), Http.get(app + "/order/" + (100 + requests)).body());
      }
    }
    int made = requests;
    assertTrue(eventually(30, () -> taskCount(SERVER) >= serverTasks + made), "the requests' tasks did not end");
    Trace.stop();
    HttpResponse<byte[]> second = download.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, second.statusCode());

    assertEquals(List.of(), new TraceContents(first.body()).nullStrings(), "strings lost in the short trace");
    TraceContents contents = new TraceContents(second.body());
    assertEquals(List.of(), contents.nullStrings(), "strings lost in the trace after it");
    for (int n = 101; n <= 100 + made; n++) {
      long task = onlyServerTask(contents, "/order/" + n);
      assertEquals(SERVER, contents.typeOf(task));
      assertTrue(contents.hasRegion(task, SERVER), "no region in the task of /order/" + n);
      assertTrue(
          contents.hasLog(task, TestApp.ORDER_CATEGORY, TestApp.ORDER_MESSAGE), "no log in the task of /order/" + n);
    }
    // A task ended on the thread that began it names no begin thread, which jfr prints as N/A too.
    String printed = TraceFiles.jfr(second.body(), "print", "--events", "livetrace.*").replace("beginThread = N/A", "");
    assertFalse(printed.contains("N/A"), "jfr print shows lost strings:\n" + printed);
  }

  private static long onlyServerTask(TraceContents contents, String path) {
    Set<Long> tasks = contents.observationTasksWith(SERVER, "http.url=" + path);
    assertEquals(1, tasks.size(), "tasks of the request to " + path + ": " + tasks);
    return tasks.iterator().next();
  }

  private double counter(String name) {
    return meters.get(name).functionCounter().count();
  }

  private double rejected(String reason) {
    return meters.get("livetrace.traces.rejected").tag("reason", reason).functionCounter().count();
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }

  private long taskCount(String type) {
    Timer timer = meters.find("livetrace.task").tag("type", type).timer();
    return timer == null ? 0 : timer.count();
  }
}
