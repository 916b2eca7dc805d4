package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.Trace;
import io.github.livetrace.testing.TraceFiles;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * {@code /actuator/livetrace}, exposed the usual way: the trace's state, the flight recorder's, the
 * snapshots and where to download them, read by a real HTTP client from a real server.
 */
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.servlet.context-path=/shop",
      "livetrace.flight-recorder.enabled=true",
      "livetrace.flight-recorder.snapshots.directory=${java.io.tmpdir}/livetrace-actuator-snapshots-${random.uuid}",
      "livetrace.flight-recorder.min-age=2s",
      "livetrace.flight-recorder.snapshots.min-interval=0s",
      "livetrace.flight-recorder.snapshots.slow-tasks[http.server.requests]=5s",
      "management.endpoints.web.exposure.include=livetrace,health"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ActuatorEndpointTest {
  @Autowired Environment environment;
  @Autowired FlightRecorder recorder;

  @AfterEach
  void removeSnapshots() throws IOException {
    Snapshots.removeStore(recorder);
  }

  private String app() {
    return Http.app(environment) + "/shop";
  }

  private String actuator() throws Exception {
    HttpResponse<String> r = Http.get(app() + "/actuator/livetrace");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").contains("json"), r.headers().toString());
    return r.body().replaceAll("\\s", "");
  }

  @Test
  void showsTheFlightRecorderItsSnapshotsAndWhereToDownloadThem() throws Exception {
    FlightRecorder.Snapshot snapshot = recorder.snapshot("actuator test").get(60, TimeUnit.SECONDS);
    String body = actuator();
    assertTrue(body.contains("\"state\":\"running\""), body);
    assertTrue(body.contains("\"minAge\":\"2s\""), body);
    assertTrue(body.contains("\"maxBytes\":10485760"), body);
    assertTrue(body.contains("\"slowTasks\":{\"http.server.requests\":\"5s\"}"), body);
    assertTrue(body.contains("\"url\":\"/shop/debug/pprof/flightrecorder\""), body);
    Matcher windowBytes = Pattern.compile("\"windowBytes\":(\\d+)").matcher(body);
    assertTrue(windowBytes.find() && Long.parseLong(windowBytes.group(1)) > 0, body);
    Matcher entry =
        Pattern.compile("\\{\"name\":\"([^\"]+)\",\"size\":(\\d+),\"time\":\"([^\"]+)\",\"reason\":\"([^\"]*)\",\"url\":\"([^\"]+)\"}")
            .matcher(body);
    assertTrue(entry.find(), body);
    assertEquals(snapshot.name(), entry.group(1));
    assertEquals(Long.toString(snapshot.size()), entry.group(2));
    assertEquals(snapshot.time().toString(), entry.group(3));
    assertEquals("actuator-test", entry.group(4));
    assertEquals("/shop/debug/pprof/flightrecorder/snapshots/" + snapshot.name(), entry.group(5));

    HttpResponse<byte[]> download = Http.getBytes(Http.app(environment) + entry.group(5));
    assertEquals(200, download.statusCode());
    assertEquals(snapshot.size(), download.body().length);
    TraceFiles.chunks(download.body());
  }

  @Test
  void showsWhetherATraceRunsSinceWhenAndUntilWhen() throws Exception {
    String idle = actuator();
    assertTrue(idle.contains("\"trace\":{\"running\":false"), idle);
    CompletableFuture<HttpResponse<byte[]>> download = Http.getBytesAsync(app() + "/debug/pprof/trace?seconds=30");
    try {
      assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
      String running = actuator();
      String start = Trace.activeSession().orElseThrow().startTime().toString();
      String end = Trace.activeSession().orElseThrow().plannedEnd().orElseThrow().toString();
      assertTrue(running.contains("\"trace\":{\"running\":true,\"startTime\":\"" + start + "\",\"plannedEnd\":\"" + end + "\""), running);
      assertTrue(running.contains("\"url\":\"/shop/debug/pprof/trace?seconds=5\""), running);
    } finally {
      Trace.stop();
    }
    assertEquals(200, download.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
  }
}
