package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.testing.HeadlessChromium;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code view} of a fleet: two JVMs recorded apart, read as one trace from their directory. */
class ViewFleetTest {
  @TempDir Path dir;

  @Test
  void twoJvmsShowTwoRowsAndAHistogramSeriesEach() throws Exception {
    FleetRecording.record(dir, 2, 8);
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", dir.toString()).ok().out()));
    List<String> names = Json.array(summary.get("jvms")).stream().map(j -> (String) Json.object(j).get("name")).toList();
    assertEquals(2, names.size(), names.toString());

    Fleet fleet = Fleet.open(List.of(dir), note -> {});
    try (ViewServer server = ViewServer.bind(0); HeadlessChromium chromium = HeadlessChromium.start()) {
      server.serve(fleet, TraceSummary.of(fleet));
      HeadlessChromium.Page overview = chromium.open(server.uri());
      assertEquals("2", overview.evaluate("document.getElementById('jvms').textContent"));
      assertEquals(String.join("|", names), overview.evaluate(
          "[...document.querySelectorAll('#jvm-table tbody tr')].map(r => r.cells[0].textContent).join('|')"));
      // Each JVM's row: its own order tasks, and events that add up to the trace's.
      assertEquals(FleetRecording.TASKS + "|" + FleetRecording.TASKS, overview.evaluate(
          "[...document.querySelectorAll('#jvm-table tbody tr')].map(r => r.cells[7].textContent).join('|')"));
      assertEquals(String.valueOf(((BigDecimal) summary.get("events")).longValueExact()), overview.evaluate(
          "String([...document.querySelectorAll('#jvm-table tbody tr')].reduce((n, r) => n + Number(r.cells[6].textContent), 0))"));

      HeadlessChromium.Page tasks = chromium.open(server.uri().resolve("/tasks"));
      String section = "document.querySelector('section.type[data-type=\"order\"]')";
      assertEquals(String.join("|", names), tasks.evaluate(
          "[..." + section + ".querySelectorAll('table.by-jvm tbody tr')].map(r => r.cells[0].textContent).join('|')"));
      assertEquals("3", tasks.evaluate(section + ".querySelector('div.chart').dataset.drawn"), "all JVMs and one series per JVM");
      // Per column of the buckets: all JVMs, then each JVM.
      assertEquals((2 * FleetRecording.TASKS) + "|" + FleetRecording.TASKS + "|" + FleetRecording.TASKS, tasks.evaluate(
          "[1, 2, 3].map(c => [..." + section + ".querySelectorAll('table.histogram tbody tr')]"
              + ".reduce((n, r) => n + Number(r.cells[c].dataset.count), 0)).join('|')"));
      // A JVM's bucket lists that JVM's tasks only.
      String href = tasks.evaluate("[..." + section + ".querySelectorAll('table.histogram tbody tr')]"
          + ".map(r => r.cells[3].querySelector('a')).filter(a => a).pop().getAttribute('href')");
      assertTrue(href.endsWith("&jvm=1"), href);
      HeadlessChromium.Page list = chromium.open(server.uri().resolve(href));
      assertEquals(names.get(1), list.evaluate(
          "[...new Set([...document.querySelectorAll('#instances tbody tr')].map(r => r.cells[1].textContent))].join('|')"));
      String taskHref = list.evaluate("document.querySelector('#instances tbody tr a').getAttribute('href')");
      assertTrue(taskHref.startsWith("/task/1/"), taskHref);

      // The task's page and its region's read the chunks of JVM 1 only, where the ids are JVM 1's.
      HeadlessChromium.Page task = chromium.open(server.uri().resolve(taskHref));
      assertEquals("main", task.evaluate("JSON.parse(document.getElementById('activity-lanes').textContent).join('|')"));
      String regionHref = task.evaluate("document.querySelector('#steps a.region-link').getAttribute('href')");
      assertTrue(regionHref.startsWith("/region/1/"), regionHref);
      HeadlessChromium.Page region = chromium.open(server.uri().resolve(regionHref));
      assertEquals("brew", region.evaluate("document.getElementById('type').textContent"));
      assertEquals(taskHref, region.evaluate("document.querySelector('#task a').getAttribute('href')"));
    }
  }
}
