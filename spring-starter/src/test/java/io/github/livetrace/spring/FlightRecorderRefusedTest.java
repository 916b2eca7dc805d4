package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.Trace;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A flight recorder configured by properties that another recording keeps from starting (it
 * enables events that carry secrets): a real Spring Boot service logs why at WARN, its endpoint,
 * {@code /actuator/livetrace} and {@code livetrace.flightrecorder.refused} say it, HEAD and GET of
 * the refused endpoints agree, and the flight recorder starts once the other recording stops.
 */
@ExtendWith(OutputCaptureExtension.class)
class FlightRecorderRefusedTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path store;

  @Test
  void sayItWhereOperatorsLookAndStartOnceTheObstacleGoes(CapturedOutput output) throws Exception {
    Trace.warmUp().get(120, TimeUnit.SECONDS); // before the other recording, whose chunks it would refuse
    try (Recording leaky = new Recording()) {
      leaky.enable("jdk.InitialSystemProperty");
      leaky.setName("operator's recording");
      leaky.start();
      try (ConfigurableApplicationContext context =
          new SpringApplicationBuilder(TestApp.class)
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "livetrace.flight-recorder.enabled=true",
                  "livetrace.flight-recorder.snapshots.directory=" + store,
                  "management.endpoints.web.exposure.include=livetrace")
              .run()) {
        String app = "http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
        FlightRecorder recorder = context.getBean(FlightRecorder.class);
        MeterRegistry meters = context.getBean(MeterRegistry.class);

        List<String> warned = output.getAll().lines().filter(l -> l.contains("livetrace: the flight recorder did not start")).toList();
        assertEquals(1, warned.size(), output.getAll());
        assertTrue(warned.get(0).contains("WARN") && warned.get(0).contains("jdk.InitialSystemProperty"), warned.get(0));

        HttpResponse<String> window = sameForHeadAndGet(app + "/debug/pprof/flightrecorder");
        assertEquals(503, window.statusCode(), window.body());
        assertTrue(window.body().contains("a flight recorder was configured but is not running"), window.body());
        assertEquals(409, sameForHeadAndGet(app + "/debug/pprof/trace?seconds=1").statusCode());
        assertEquals(409, sameForHeadAndGet(app + "/debug/pprof/profile?seconds=1&format=jfr").statusCode());

        String actuator = get(app + "/actuator/livetrace").body().replaceAll("\\s", "");
        assertTrue(actuator.contains("\"state\":\"waiting\"") && actuator.contains("\"reason\":\"sensitive_events\""), actuator);
        assertTrue(actuator.contains("operator'srecording"), "names the recording: " + actuator);
        assertEquals(1.0, refused(meters));

        leaky.stop();
        assertTrue(eventually(60, recorder::isEnabled), "the flight recorder did not start once the other recording stopped");
        assertTrue(get(app + "/actuator/livetrace").body().replaceAll("\\s", "").contains("\"state\":\"running\""));
        assertEquals(0.0, refused(meters));
        assertEquals(200, sameForHeadAndGet(app + "/debug/pprof/flightrecorder").statusCode());
      }
    }
  }

  private static double refused(MeterRegistry meters) {
    return meters.get("livetrace.flightrecorder.refused").tag("reason", "sensitive_events").gauge().value();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Http.WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The GET, after checking that a HEAD got the same status and content type. */
  private static HttpResponse<String> sameForHeadAndGet(String url) throws Exception {
    HttpResponse<String> head =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Http.WAIT).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> get = get(url);
    assertEquals(get.statusCode(), head.statusCode(), url + ": " + get.body());
    for (String header : List.of("Content-Type", "Content-Disposition", "Retry-After", "Content-Encoding")) {
      assertEquals(get.headers().firstValue(header), head.headers().firstValue(header), url + " " + header);
    }
    return get;
  }
}
