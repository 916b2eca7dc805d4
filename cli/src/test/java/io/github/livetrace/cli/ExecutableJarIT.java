package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as users run it: {@code java -jar cli/target/livetrace.jar}. */
class ExecutableJarIT {
  @TempDir static Path dir;
  private static Path trace;

  /** Exit status and output of one run of the jar. */
  private record Run(int exitCode, String out, String err) {}

  @BeforeAll
  @SuppressWarnings("try") // scopes and regions are closed, not used
  static void record() throws Exception {
    byte[] bytes = Recordings.record(TraceOptions.defaults(), () -> {
      Task order = Trace.newTask("order");
      try (Task.Scope s = order.makeCurrent()) {
        Trace.withRegion("brew", () -> Recordings.work(20));
        Trace.log("order", "espresso");
      } finally {
        order.end();
      }
    });
    trace = Files.write(dir.resolve("trace.jfr"), bytes);
  }

  private static Run jar(String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("livetrace.jar", "target/livetrace.jar"));
    assertTrue(Files.isRegularFile(jar), "the build made " + jar);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the jar finished");
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void summaryTasksAndExportRunFromTheJar() throws Exception {
    Run summary = jar("summary", trace.toString());
    assertEquals(0, summary.exitCode(), summary.err());
    assertTrue(summary.out().lines().anyMatch(l -> l.matches("order\\s+1\\s+1\\s+.*")), summary.out());

    Run tasks = jar("tasks", trace.toString(), "--min", "10ms");
    assertEquals(0, tasks.exitCode(), tasks.err());
    assertTrue(tasks.out().contains("region brew"), tasks.out());

    Path json = dir.resolve("trace.json");
    Run export = jar("export", trace.toString(), "-o", json.toString());
    assertEquals(0, export.exitCode(), export.err());
    Map<String, Object> exported = Json.object(Json.parse(Files.readString(json, StandardCharsets.UTF_8)));
    List<Map<String, Object>> events = Json.array(exported.get("traceEvents")).stream().map(Json::object).toList();
    Exports.assertSlicesNest(events);
    assertEquals(1, Exports.with(Exports.with(events, "ph", "X"), "name", "brew").size(), "the region, from the jar");
  }

  /** view from the jar: the chart library is in it (the minified bundle only) and served from it. */
  @Test
  void viewServesItsPagesAndTheChartLibraryFromTheJar() throws Exception {
    Path jar = Path.of(System.getProperty("livetrace.jar", "target/livetrace.jar"));
    try (JarFile entries = new JarFile(jar.toFile())) {
      List<String> echarts = entries.stream().map(JarEntry::getName)
          .filter(n -> n.startsWith("META-INF/resources/webjars/echarts/") && !n.endsWith("/")).toList();
      assertTrue(echarts.stream().anyMatch(n -> n.endsWith("/dist/echarts.min.js")), echarts.toString());
      assertTrue(echarts.size() < 10, () -> "only the bundle and its licence: " + echarts);
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
        "view", trace.toString(), "--no-browser").redirectError(dir.resolve("view-err.txt").toFile()).start();
    try {
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertTrue(line != null && line.matches("livetrace view: serving .* at http://127\\.0\\.0\\.1:\\d+/ \\(Ctrl-C to stop\\)"),
          () -> line + "; stderr: " + readQuietly(dir.resolve("view-err.txt")));
      URI uri = URI.create(line.replaceAll(".* at (\\S+) .*", "$1"));
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<byte[]> script = http.send(HttpRequest.newBuilder(uri.resolve("/static/echarts.min.js")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, script.statusCode());
      assertTrue(script.body().length > 500_000, script.body().length + " bytes of ECharts");
      HttpResponse<String> tasks = http.send(HttpRequest.newBuilder(uri.resolve("/tasks")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, tasks.statusCode());
      assertTrue(tasks.body().contains("data-type=\"order\""), tasks.body());
      // JMC's rules are found in the shaded jar (a ServiceLoader file) and run.
      String[] findings = new String[1];
      assertTrue(io.github.livetrace.testing.TraceFiles.eventually(120, () -> {
        try {
          findings[0] = http.send(HttpRequest.newBuilder(uri.resolve("/findings")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        return findings[0].contains("data-done=true");
      }), () -> findings[0]);
      assertTrue(!findings[0].contains("id=failure") && findings[0].contains("data-rule=\"HighGc\""), findings[0]);
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "view stopped");
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void helpAndVersion() throws Exception {
    Run help = jar("--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("summary") && help.out().contains("repair"), help.out());
    Run version = jar("--version");
    assertEquals(0, version.exitCode());
    assertTrue(version.out().startsWith("livetrace 0."), version.out());
  }

  @Test
  void badInputIsOneLineAndStatusTwo() throws Exception {
    Path missing = dir.resolve("missing.jfr");
    Run run = jar("summary", missing.toString());
    assertEquals(2, run.exitCode());
    assertEquals(missing + ": no such file", run.err().strip().replaceFirst("^livetrace summary: ", ""));
    assertFalse(run.err().contains("Exception"), run.err());
  }
}
