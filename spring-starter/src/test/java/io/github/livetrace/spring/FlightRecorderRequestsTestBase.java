package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.testing.TraceContents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.context.WebApplicationContext;

/**
 * The flight recorder in a real Spring Boot service, configured by properties alone: requests
 * made before a GET of the window are in it, and a request slower than its threshold keeps
 * exactly one snapshot, with its task and regions, however many slow requests follow. The
 * context is closed after the class, which stops the flight recorder. Subclasses run it on Tomcat
 * and on Jetty.
 */
@SpringBootTest(
    classes = {TestApp.class, SlowRequests.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "livetrace.flight-recorder.enabled=true",
      "livetrace.flight-recorder.snapshots.directory=${java.io.tmpdir}/livetrace-boot-snapshots-${random.uuid}",
      "livetrace.flight-recorder.min-age=3s",
      "livetrace.flight-recorder.max-bytes=8MB",
      "livetrace.flight-recorder.snapshots.max-count=5",
      "livetrace.flight-recorder.snapshots.min-interval=10m",
      "livetrace.flight-recorder.snapshots.delay=200ms",
      "livetrace.flight-recorder.snapshots.slow-tasks[http.server.requests]=300ms"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class FlightRecorderRequestsTestBase {
  private static final String SERVER = "http.server.requests";
  private static final Pattern SNAPSHOT = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"size\":(\\d+),\"time\":\"([^\"]+)\",\"reason\":\"([^\"]*)\"}");
  @Autowired Environment environment;
  @Autowired MeterRegistry meters;
  @Autowired FlightRecorder recorder;
  @Autowired WebApplicationContext context;

  @AfterEach
  void removeSnapshots() throws IOException {
    Snapshots.removeStore(recorder);
  }

  /** Part of the servlet container's server info, such as {@code tomcat}. */
  abstract String expectedServer();

  private long serverTasks() {
    Timer timer = meters.find("livetrace.task").tag("type", SERVER).timer();
    return timer == null ? 0 : timer.count();
  }

  private double counter(String name, String tag, String value) {
    return meters.get(name).tag(tag, value).functionCounter().count();
  }

  private List<String> listedSnapshots() throws Exception {
    HttpResponse<String> list = Http.get(Http.app(environment) + "/debug/pprof/flightrecorder/snapshots", "Accept", "application/json");
    assertEquals(200, list.statusCode(), list.body());
    List<String> names = new ArrayList<>();
    Matcher m = SNAPSHOT.matcher(list.body());
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void runsOnTheExpectedServer() {
    String info = context.getServletContext().getServerInfo().toLowerCase(java.util.Locale.ROOT);
    assertTrue(info.contains(expectedServer()), "server is " + info + ", expected " + expectedServer());
  }

  @Test
  void requestsMadeBeforeTheGetAreInTheWindow() throws Exception {
    assertTrue(recorder.isEnabled(), "the properties did not start a flight recorder");
    String app = Http.app(environment);
    String info = Http.get(app + "/greet/0").body(); // warms Spring MVC up
    assertEquals("hello 0", info);
    long before = serverTasks();
    for (int n = 21; n <= 23; n++) {
      assertEquals("hello " + n, Http.get(app + "/greet/" + n).body());
    }
    assertTrue(eventually(30, () -> serverTasks() >= before + 3), "the requests' tasks did not end");

    HttpResponse<byte[]> window = Http.getBytes(app + "/debug/pprof/flightrecorder");
    assertEquals(200, window.statusCode());
    assertEquals("application/octet-stream", window.headers().firstValue("Content-Type").orElse(""));
    TraceContents contents = new TraceContents(window.body());
    for (int n = 21; n <= 23; n++) {
      Set<Long> tasks = contents.observationTasksWith(SERVER, "http.url=/greet/" + n);
      assertEquals(1, tasks.size(), "request /greet/" + n + " in the window: " + tasks);
      long task = tasks.iterator().next();
      assertTrue(contents.ended(task));
      assertTrue(contents.hasLog(task, "greet", "hello " + n));
    }
    assertEquals(Set.of(), contents.observationTasksWith(SERVER, "http.url=/debug/pprof/flightrecorder"), "the download is a task");
    assertTrue(meters.get("livetrace.flightrecorder.window.size").gauge().value() > 0);
    assertEquals(1.0, meters.get("livetrace.flightrecorder.active").gauge().value());
  }

  @Test
  void aSlowRequestKeepsExactlyOneSnapshotThatHoldsItAndAStormKeepsNoMore() throws Exception {
    String app = Http.app(environment);
    double slowSnapshots = counter("livetrace.flightrecorder.snapshots", "reason", "slow_task");
    double skipped = counter("livetrace.flightrecorder.snapshots.skipped", "cause", "min_interval");
    assertEquals(List.of(), listedSnapshots());

    assertEquals("slept 400", Http.get(app + "/slow/400").body());
    assertTrue(eventually(60, () -> {
      try {
        return listedSnapshots().size() == 1;
      } catch (Exception e) {
        return false;
      }
    }), "the slow request kept no snapshot");
    String name = listedSnapshots().get(0);
    assertTrue(name.contains("_slow_http.server.requests_"), name);

    HttpResponse<byte[]> snapshot = Http.getBytes(app + "/debug/pprof/flightrecorder/snapshots/" + name);
    assertEquals(200, snapshot.statusCode());
    TraceContents contents = new TraceContents(snapshot.body());
    Set<Long> tasks = contents.observationTasksWith(SERVER, "http.url=/slow/400");
    assertEquals(1, tasks.size(), "the slow request in its snapshot: " + tasks);
    long task = tasks.iterator().next();
    assertEquals(SERVER, contents.typeOf(task), "its begin is not in the snapshot");
    assertTrue(contents.ended(task), "its end is not in the snapshot");
    assertTrue(name.contains("_" + task + "_"), name + " does not name task " + task);
    assertTrue(contents.hasRegion(task, SERVER), "the request's scope region is not in the snapshot");
    assertTrue(contents.hasRegion(task, SlowRequests.REGION), "the controller's region is not in the snapshot");
    assertTrue(contents.hasLog(task, "slow", "sleeping 400 ms"));
    assertEquals(slowSnapshots + 1, counter("livetrace.flightrecorder.snapshots", "reason", "slow_task"));

    // A storm of slow requests: each is turned down at its end, within the minimum interval.
    long before = serverTasks();
    List<CompletableFuture<HttpResponse<byte[]>>> storm = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      storm.add(Http.getBytesAsync(app + "/slow/350"));
    }
    for (CompletableFuture<HttpResponse<byte[]>> f : storm) {
      assertEquals(200, f.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
    }
    assertTrue(eventually(30, () -> serverTasks() >= before + 10), "the storm's tasks did not end");
    assertTrue(
        eventually(30, () -> counter("livetrace.flightrecorder.snapshots.skipped", "cause", "min_interval") >= skipped + 10),
        "the storm was not turned down");
    assertEquals(List.of(name), listedSnapshots());
    assertEquals(slowSnapshots + 1, counter("livetrace.flightrecorder.snapshots", "reason", "slow_task"));
    try (Stream<Path> files = Files.list(recorder.snapshotDirectory())) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file is left");
    }
  }
}
