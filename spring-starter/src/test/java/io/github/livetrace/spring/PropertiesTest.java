package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.micrometer.LivetraceMetrics;
import io.github.livetrace.micrometer.LivetraceObservationHandler;
import io.github.livetrace.testing.TraceContents;
import io.github.livetrace.testing.TraceFiles;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/** Every {@code livetrace.*} property, through the running server. */
@SpringBootTest(
    classes = {TestApp.class, PropertiesTest.HistogramProbe.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "livetrace.token=" + PropertiesTest.TOKEN,
      "livetrace.base-path=/ops/pprof/",
      "livetrace.max-seconds=3",
      "livetrace.chunk-interval=250ms",
      "livetrace.allowed-settings=profile",
      "livetrace.profiler=jfr",
      "livetrace.observation.enabled=false",
      "livetrace.metrics.percentile-histogram=true",
      "management.endpoints.web.exposure.include=configprops,env",
      // Values shown, as an application debugging its configuration may: the token must not be.
      "management.endpoint.configprops.show-values=always",
      "management.endpoint.env.show-values=always"
    })
@ExtendWith(OutputCaptureExtension.class)
class PropertiesTest {
  static final String TOKEN = "tok-5b1e0c7a94d2";

  @Autowired Environment environment;
  @Autowired MeterRegistry meters;
  @Autowired ApplicationContext context;
  @Autowired HistogramProbe histograms;

  /**
   * Sees the distribution configuration that each meter asks for. The simple registry of tests
   * publishes no percentile histogram, so the request is what can be checked.
   */
  static class HistogramProbe implements MeterFilter {
    final Map<String, Boolean> percentileHistogramByTaskType = new ConcurrentHashMap<>();

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      if (id.getName().equals("livetrace.task")) {
        percentileHistogramByTaskType.put(id.getTag("type"), Boolean.TRUE.equals(config.isPercentileHistogram()));
      }
      return config;
    }
  }

  private String base() {
    return Http.app(environment) + "/ops/pprof";
  }

  @Test
  void theTokenIsRequired() throws Exception {
    double unauthorized = rejected("unauthorized");
    HttpResponse<String> none = Http.get(base() + "/trace?seconds=1");
    assertEquals(401, none.statusCode());
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertEquals(401, Http.get(base() + "/trace?seconds=1", Http.bearer("wrong")).statusCode());
    assertEquals(200, Http.get(base() + "/", Http.bearer(TOKEN)).statusCode());
    assertTrue(rejected("unauthorized") >= unauthorized + 2);
  }

  @Test
  void profilerChoosesTheEngineOfTheCpuAndWallProfiles() throws Exception {
    HttpResponse<byte[]> cpu = Http.getBytes(base() + "/profile?seconds=0.5", Http.bearer(TOKEN));
    assertEquals(200, cpu.statusCode());
    assertTrue(cpu.headers().firstValue("X-Livetrace-Profile-Engine").orElse("").startsWith("jfr; events=jdk."), cpu.headers().toString());
    HttpResponse<String> wall = Http.get(base() + "/wall?seconds=0.5", Http.bearer(TOKEN));
    assertEquals(503, wall.statusCode());
    assertTrue(wall.body().contains("livetrace.profiler=jfr"), wall.body());
  }

  @Test
  void basePathMaxSecondsAndAllowedSettingsApply() throws Exception {
    double badRequests = rejected("bad_request");
    assertEquals(404, Http.get(Http.app(environment) + "/debug/pprof/", Http.bearer(TOKEN)).statusCode());
    HttpResponse<String> tooLong = Http.get(base() + "/trace?seconds=10", Http.bearer(TOKEN));
    assertEquals(400, tooLong.statusCode(), tooLong.body());
    HttpResponse<String> notAllowed = Http.get(base() + "/trace?seconds=1&settings=default", Http.bearer(TOKEN));
    assertEquals(400, notAllowed.statusCode(), notAllowed.body());
    assertTrue(rejected("bad_request") >= badRequests + 2);
  }

  @Test
  void chunkIntervalAppliesAndObservationsAreOff() throws Exception {
    assertEquals(0, context.getBeanNamesForType(LivetraceObservationHandler.class).length);
    assertEquals(1, context.getBeanNamesForType(LivetraceMetrics.class).length);
    String app = Http.app(environment);
    assertEquals(200, Http.get(app + "/greet/0").statusCode());

    CompletableFuture<HttpResponse<byte[]>> download = Http.getBytesAsync(base() + "/trace?seconds=3", Http.bearer(TOKEN));
    assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
    assertEquals("hello 7", Http.get(app + "/greet/7").body()); // logged before the response
    // Stopped after three 250 ms chunks (or at its end, 3 s, if the machine is slower than that).
    assertTrue(eventually(30, () -> Trace.activeSession().map(s -> s.chunksWritten() >= 3).orElse(true)));
    Trace.stop();
    HttpResponse<byte[]> response = download.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());

    // At least three chunks and the last, where the default interval of 1 s makes one or two.
    int chunks = TraceFiles.chunks(response.body()).size();
    assertTrue(chunks > 2, chunks + " chunks");
    TraceContents contents = new TraceContents(response.body());
    assertEquals(Set.of(), contents.tasksOfType("http.server.requests"), "observations became tasks");
    assertEquals(Set.of(0L), contents.tasksThatLogged("greet", "hello 7"), "the log is not in the background task");
  }

  @Test
  void percentileHistogramIsOptIn() {
    Trace.newTask("histogram-probe").end();
    assertEquals(1, meters.get("livetrace.task").tag("type", "histogram-probe").timer().count());
    assertEquals(Boolean.TRUE, histograms.percentileHistogramByTaskType.get("histogram-probe"));
  }

  @Test
  void theTokenIsNeverShown(CapturedOutput output) throws Exception {
    String app = Http.app(environment);
    HttpResponse<String> index = Http.get(base() + "/", Http.bearer(TOKEN));
    assertEquals(200, index.statusCode());
    assertFalse(index.body().contains(TOKEN), "the index page shows the token");
    HttpResponse<String> configprops = Http.get(app + "/actuator/configprops");
    assertEquals(200, configprops.statusCode());
    assertTrue(configprops.body().contains("ops/pprof"), "values are shown: " + configprops.body());
    assertFalse(configprops.body().contains(TOKEN), "/actuator/configprops shows the token");
    HttpResponse<String> env = Http.get(app + "/actuator/env");
    assertEquals(200, env.statusCode());
    assertFalse(env.body().contains(TOKEN), "/actuator/env shows the token");
    assertFalse(output.getAll().contains(TOKEN), "the token was logged");
  }

  private double rejected(String reason) {
    return meters.get("livetrace.traces.rejected").tag("reason", reason).functionCounter().count();
  }
}
