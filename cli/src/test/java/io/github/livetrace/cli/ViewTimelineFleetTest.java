package io.github.livetrace.cli;

import static io.github.livetrace.cli.ViewBrowser.assertOnlyLoopback;
import static io.github.livetrace.cli.ViewBrowser.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.testing.HeadlessChromium;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code view}'s timeline and findings of a fleet: two JVMs recorded apart, read from their
 * directory. The timeline is export's for the same window, with a row of tasks per JVM; the
 * findings are per JVM, since JMC reads one recording at a time.
 */
class ViewTimelineFleetTest {
  @TempDir Path dir;
  @TempDir Path out;

  @Test
  void aRowOfTasksPerJvmAndFindingsPerJvm() throws Exception {
    FleetRecording.record(dir, 2, 8);
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", dir.toString()).ok().out()));
    List<String> names = Json.array(summary.get("jvms")).stream().map(j -> (String) Json.object(j).get("name")).toList();
    assertEquals(2, names.size(), names.toString());

    Fleet fleet = Fleet.open(List.of(dir), note -> {});
    try (ViewServer server = ViewServer.bind(0); HeadlessChromium chromium = HeadlessChromium.start()) {
      server.serve(fleet, TraceSummary.of(fleet));
      HeadlessChromium.Page page = chromium.open(server.uri().resolve("/timeline"));
      awaitTrue(page, "document.querySelector('div.trace-timeline').dataset.drawn || document.querySelector('div.trace-timeline').dataset.failed",
          () -> "the timeline was not drawn");
      assertEquals(String.valueOf(2 * FleetRecording.TASKS), page.evaluate("document.querySelector('div.trace-timeline').dataset.tasks"));
      List<String> rows = Arrays.asList(page.evaluate("echarts.getInstanceByDom(document.querySelector('div.trace-timeline'))"
          + ".getOption().yAxis[0].data.join('|')").split("\\|"));
      for (String name : names) {
        assertTrue(rows.stream().anyMatch(r -> r.startsWith(name + " · tasks")), () -> name + " has a row of tasks: " + rows);
      }
      String from = page.evaluate("document.getElementById('window').dataset.from");
      String to = page.evaluate("document.getElementById('window').dataset.to");
      Path file = out.resolve("fleet.json");
      Cli.run("export", dir.toString(), "-o", file.toString(), "--from", from + "ns", "--to", to + "ns").ok();
      byte[] served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve(
          page.evaluate("document.querySelector('div.trace-timeline').dataset.src"))).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
      assertArrayEquals(Files.readAllBytes(file), served, "the fleet's window is export's");
      assertOnlyLoopback(page, server.uri());

      HeadlessChromium.Page findings = chromium.open(server.uri().resolve("/findings"));
      awaitTrue(findings, "document.getElementById('state') && document.getElementById('state').dataset.done === 'true'",
          () -> "the rules did not finish");
      List<String> parts = Arrays.asList(findings.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent).join('|')").split("\\|"));
      for (String name : names) {
        assertTrue(parts.stream().anyMatch(p -> p.contains(", " + name + ", ")), () -> name + " has findings of its own: " + parts);
      }
      assertTrue(Long.parseLong(findings.evaluate("String(document.querySelectorAll('tr.finding').length)")) >= 80, "rules ran on both");
      assertOnlyLoopback(findings, server.uri());
    }
  }
}
