package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.ChildJvm;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refusals told the same way everywhere: in every state in which a GET is refused, a HEAD gets
 * the same status and headers (and starts nothing); a flight recorder that was configured and
 * cannot start says so in the log at WARNING, on its endpoint and on the index, and starts once
 * the obstacle goes away.
 */
class RefusalsTest extends ServletTestSupport {
  /** Every endpoint of the table, with the shortest useful durations. */
  static final List<String> PATHS =
      List.of(
          "",
          "trace?seconds=1",
          "flightrecorder",
          "flightrecorder/snapshots",
          "profile?seconds=1",
          "profile?seconds=1&format=jfr",
          "wall?seconds=1",
          "allocs?seconds=1",
          "heap?seconds=1",
          "mutex?seconds=1",
          "block?seconds=1",
          "goroutine?debug=1",
          "cmdline");

  /** The headers a HEAD must share with the GET; the length of a body may differ, as HTTP allows. */
  static final List<String> HEADERS =
      List.of(
          "content-type",
          "content-encoding",
          "content-disposition",
          "retry-after",
          "vary",
          "allow",
          "www-authenticate",
          "x-content-type-options",
          "cache-control",
          "x-livetrace-profile-engine");

  @TempDir Path store;

  @Test
  void withARecordingOfSecretsHeadAnswersAsGetAndTheFlightRecorderWaitsForItToStop() throws Exception {
    Trace.warmUp().get(120, java.util.concurrent.TimeUnit.SECONDS); // before the other recording, whose chunks it would refuse
    FlightRecorder recorder;
    Map<String, Answer> gets;
    try (Warnings warnings = new Warnings();
        Recording leaky = new Recording()) {
      leaky.enable("jdk.InitialEnvironmentVariable");
      leaky.setName("leaky");
      leaky.start();
      TestServer server =
          server(PprofServlet.builder().flightRecorder(FlightRecorderOptions.defaults().withSnapshotDirectory(store)).build());

      gets = headAndGetAgree(server);
      assertEquals(409, gets.get("trace?seconds=1").status(), gets.get("trace?seconds=1").body());
      assertTrue(gets.get("trace?seconds=1").body().contains("jdk.InitialEnvironmentVariable (recording"), gets.get("trace?seconds=1").body());
      assertEquals(409, gets.get("profile?seconds=1&format=jfr").status());
      assertEquals(200, gets.get("profile?seconds=1").status(), "stacks only: no secrets to refuse");
      Answer window = gets.get("flightrecorder");
      assertEquals(503, window.status(), window.body());
      assertTrue(window.body().startsWith("a flight recorder was configured but is not running: another recording"), window.body());
      assertTrue(window.body().contains("It starts by itself once no recording enables those events"), window.body());
      assertTrue(gets.get("").body().contains("a flight recorder was configured but is not running"), "the index says it");
      assertTrue(gets.get("flightrecorder/snapshots").body().contains("configured but is not running"), gets.get("flightrecorder/snapshots").body());

      recorder = FlightRecorder.current().orElseThrow();
      assertEquals(FlightRecorder.StartRefusal.Reason.SENSITIVE_EVENTS, recorder.startRefusal().orElseThrow().reason());
      List<String> said = warnings.containing("the flight recorder did not start");
      assertEquals(1, said.size(), "logged once at WARNING: " + said);
      assertTrue(said.get(0).contains("jdk.InitialEnvironmentVariable") && said.get(0).contains("starts by itself"), said.get(0));

      leaky.stop();
      assertTrue(eventually(60, recorder::isEnabled), "the flight recorder did not start once the other recording stopped");
      assertTrue(recorder.startRefusal().isEmpty());
      Map<String, Answer> after = headAndGetAgree(server, "flightrecorder");
      assertEquals(200, after.get("flightrecorder").status(), after.get("flightrecorder").body());
    }
  }

  @Test
  void headAndGetChooseTheSameContentEncoding() throws Exception {
    TestServer server = server(PprofServlet.builder().flightRecorder(FlightRecorderOptions.defaults().withSnapshotDirectory(store)).build());
    String[] paths = {"trace?seconds=1", "flightrecorder", "profile?seconds=1&format=jfr", "profile?seconds=1&format=collapsed"};
    Map<String, Answer> curl = headAndGetAgreeAccepting(server, "deflate, gzip, br, zstd", paths); // curl --compressed
    assertEquals("zstd", curl.get("trace?seconds=1").headers().get("content-encoding"));
    assertEquals("zstd", curl.get("flightrecorder").headers().get("content-encoding"));
    assertEquals("zstd", curl.get("profile?seconds=1&format=jfr").headers().get("content-encoding"));
    assertEquals("gzip", curl.get("profile?seconds=1&format=collapsed").headers().get("content-encoding"));
    for (Answer a : curl.values()) {
      assertEquals("Accept-Encoding", a.headers().get("vary"), a.toString());
    }
    Map<String, Answer> gzipFirst = headAndGetAgreeAccepting(server, "gzip;q=1, zstd;q=0.5", "trace?seconds=1", "flightrecorder");
    assertEquals("gzip", gzipFirst.get("trace?seconds=1").headers().get("content-encoding"));
    assertEquals("gzip", gzipFirst.get("flightrecorder").headers().get("content-encoding"));
  }

  @Test
  void whileATraceRunsHeadAndGetOfTheTraceAreBothBusy() throws Exception {
    TestServer server = server(PprofServlet.builder().build());
    Trace.start(OutputStream.nullOutputStream(), TraceOptions.defaults().withDuration(Duration.ofSeconds(30)));
    Map<String, Answer> gets = headAndGetAgree(server, "trace?seconds=1");
    assertEquals(429, gets.get("trace?seconds=1").status());
    Trace.stop();
  }

  @Test
  void withoutJfrEveryEndpointAnswersHeadAsGetAndTheConfiguredFlightRecorderSaysWhy() throws Exception {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder"), Map.of(), NoJfr.class, store.toString());
    assertEquals(0, result.exitCode(), result.output());
    for (String path : List.of("trace?seconds=1", "profile?seconds=1&format=jfr", "allocs?seconds=1", "heap?seconds=1", "block?seconds=1")) {
      assertTrue(result.output().contains("GET " + path + " 503"), path + ":\n" + result.output());
    }
    // async-profiler needs no JFR: the CPU, wall-clock and mutex profiles still answer.
    assertTrue(result.output().contains("GET profile?seconds=1 200"), result.output());
    assertTrue(result.output().contains("GET mutex?seconds=1 200"), result.output());
    assertTrue(result.output().contains("GET wall?seconds=1 200"), result.output());
    assertTrue(result.output().contains("GET flightrecorder 503 a flight recorder was configured but is not running: JDK Flight Recorder is not available"), result.output());
    assertTrue(result.output().contains("It will not start in this JVM"), result.output());
    assertTrue(result.output().contains("warnings=1"), result.output());
    assertTrue(!result.output().contains("DIFFERENT"), result.output());
  }

  @Test
  void withoutJfrAndWithoutAsyncProfilerTheCpuAndWallProfilesAreRefusedAlikeByHeadAndGet() throws Exception {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder", "-Dlivetrace.profiler=jfr"), Map.of(), NoJfr.class, store.toString());
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("GET profile?seconds=1 503 cannot profile: JDK Flight Recorder"), result.output());
    assertTrue(result.output().contains("GET mutex?seconds=1 503 cannot profile: JDK Flight Recorder"), result.output());
    assertTrue(
        result.output().contains("GET wall?seconds=1 503 the wall profile needs async-profiler, which cannot run here: livetrace.profiler=jfr"),
        result.output());
    assertTrue(!result.output().contains("DIFFERENT"), result.output());
  }

  /** Serves the servlet with a flight recorder configured in a JVM without JFR, and prints each endpoint's GET. */
  public static final class NoJfr {
    public static void main(String[] args) throws Exception {
      try (Warnings warnings = new Warnings();
          TestServer server =
          TestServer.withInitParameters(Map.of("flight-recorder", "true", "flight-recorder.snapshots.directory", Path.of(args[0]).resolve("child").toString()))) {
        Map<String, Answer> gets;
        try {
          gets = headAndGetAgree(server);
        } catch (AssertionError e) {
          System.out.println("DIFFERENT " + e.getMessage());
          return;
        }
        gets.forEach((path, a) -> System.out.println("GET " + path + " " + a.status() + " " + a.body().strip()));
        System.out.println("warnings=" + warnings.containing("the flight recorder did not start").size());
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  record Answer(int status, Map<String, String> headers, String body) {}

  /** Asks every path (or those given) with HEAD, then GET, asserts that both agree, and returns the GETs. */
  static Map<String, Answer> headAndGetAgree(TestServer server, String... only) throws Exception {
    return headAndGetAgreeAccepting(server, null, only);
  }

  /** {@link #headAndGetAgree(TestServer, String...)}, asking with {@code acceptEncoding} (null: none). */
  static Map<String, Answer> headAndGetAgreeAccepting(TestServer server, String acceptEncoding, String... only) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Map<String, Answer> gets = new LinkedHashMap<>();
    List<String> differences = new ArrayList<>();
    for (String path : only.length == 0 ? PATHS : List.of(only)) {
      Answer head = ask(client, server.pprof(path), "HEAD", acceptEncoding);
      Answer get = ask(client, server.pprof(path), "GET", acceptEncoding);
      if (head.status() != get.status() || !head.headers().equals(get.headers())) {
        differences.add(path + ": HEAD " + head.status() + " " + head.headers() + ", GET " + get.status() + " " + get.headers() + " " + get.body());
      }
      gets.put(path, get);
    }
    assertTrue(differences.isEmpty(), String.join("\n", differences));
    return gets;
  }

  private static Answer ask(HttpClient client, URI uri, String method, String acceptEncoding) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(120));
    if (acceptEncoding != null) {
      request.header("Accept-Encoding", acceptEncoding);
    }
    HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, String> headers = new TreeMap<>();
    for (String name : HEADERS) {
      r.headers().firstValue(name).ifPresent(v -> headers.put(name, name.equals("retry-after") ? "set" : v));
    }
    String type = r.headers().firstValue("content-type").orElse("");
    if (type.startsWith("text/plain")) {
      // A refusal's text is known before it is written: HEAD and GET frame it alike.
      headers.put("content-length", r.headers().firstValue("content-length").orElse("none"));
    }
    String body = type.startsWith("text/") ? new String(r.body(), java.nio.charset.StandardCharsets.UTF_8) : "(" + r.body().length + " bytes)";
    return new Answer(r.statusCode(), headers, body);
  }

  /** The WARNING records of livetrace's flight recorder logger while open (System.Logger goes to java.util.logging). */
  static final class Warnings extends Handler implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger("io.github.livetrace.FlightRecorder");
    final List<String> messages = new CopyOnWriteArrayList<>();

    Warnings() {
      LOGGER.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        messages.add(record.getMessage());
      }
    }

    List<String> containing(String text) {
      return messages.stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      LOGGER.removeHandler(this);
    }
  }

}
