package io.github.livetrace.cli;

import static io.github.livetrace.cli.ViewBrowser.assertOnlyLoopback;
import static io.github.livetrace.cli.ViewBrowser.awaitPage;
import static io.github.livetrace.cli.ViewBrowser.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.examples.CoffeeShop;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every page of {@code view} on a trace of the demo itself: the coffee shop under load, started
 * in this JVM, and 3 s of it downloaded from its pprof servlet as the README's curl does. The
 * other view tests check each page in detail on traces made for them; this one checks that each
 * renders real content on what a newcomer's first trace holds: the overview's JVM row, the order
 * histogram's chart and the region types', a click on its slowest bucket down to a task, a region,
 * the flame graphs of each kind for the trace, the type and the task, a timeline window and the
 * findings; no page has an error or reaches beyond 127.0.0.1.
 */
class ViewDemoTraceTest {
  private static TraceSummary summary;
  private static Fleet fleet;
  private static ViewServer server;
  private static HeadlessChromium chromium;

  @BeforeAll
  @SuppressWarnings("try") // CoffeeShop.close() declares Exception, as the demo's main needs
  static void traceTheDemoAndServe() throws Exception {
    byte[] trace;
    try (CoffeeShop shop = CoffeeShop.start(0, true)) {
      HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(shop.uri().resolve("/debug/pprof/trace?seconds=3")).timeout(Duration.ofSeconds(120)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      trace = response.body();
    }
    Path file = TraceFiles.write(trace);
    fleet = Fleet.open(List.of(file), note -> {});
    summary = TraceSummary.of(fleet);
    server = ViewServer.bind(0);
    server.serve(fleet, summary);
    chromium = HeadlessChromium.start();
  }

  @AfterAll
  static void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static URI at(String pathAndQuery) {
    return server.uri().resolve(pathAndQuery);
  }

  /** What every page must be: no error of the viewer's, nothing loaded from or linked to beyond 127.0.0.1. */
  private static void assertSound(HeadlessChromium.Page page) {
    assertEquals("", page.evaluate("[...document.querySelectorAll('.error')].map(e => e.textContent).join('|')"),
        () -> "an error on " + page.evaluate("location.href"));
    assertOnlyLoopback(page, server.uri());
  }

  private static long number(HeadlessChromium.Page page, String expression) {
    return Long.parseLong(page.evaluate("String(" + expression + ")"));
  }

  @Test
  void theOverviewShowsTheDemosJvmWithTheSummarysCounts() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/"));
    assertSound(page);
    assertEquals("1", page.evaluate("document.getElementById('jvms').textContent"));
    assertEquals(String.valueOf(summary.events()), page.evaluate("document.getElementById('events').textContent"));
    long tasks = summary.tasks().stream().mapToLong(TraceSummary.TypeStats::count).sum();
    assertTrue(summary.tasks().stream().anyMatch(t -> t.type().equals("order") && t.completed() > 0), "the demo's orders are in the trace");
    // The JVM's row: the demo ran in this JVM, its events and tasks are the trace's.
    String row = "document.querySelector('#jvm-table tbody tr')";
    assertEquals(fleet.jvms().get(0).name() + "|" + ProcessHandle.current().pid() + "|" + summary.events(0) + "|" + tasks,
        page.evaluate("(r => [0, 1, 6, 7].map(i => r.cells[i].textContent).join('|'))(" + row + ")"));
  }

  @Test
  void theRegionTypesPageChartsTheBaristasSteps() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/regions"));
    assertSound(page);
    for (String type : List.of("grindBeans", "pullShot", "serve")) {
      TraceSummary.TypeStats stats = summary.regions().stream().filter(t -> t.type().equals(type)).findFirst().orElseThrow();
      String chart = "echarts.getInstanceByDom(document.querySelector('section.type[data-type=\"" + type + "\"] div.chart'))";
      assertEquals(stats.completed(), number(page, chart + ".getOption().series[0].data.reduce((n, c) => n + c, 0)"),
          type + ": the chart's bars count its regions");
    }
  }

  @Test
  void theOrderHistogramLeadsToTheSlowestOrdersTaskAndRegionPages() throws Exception {
    TraceSummary.TypeStats order = summary.tasks().stream().filter(t -> t.type().equals("order")).findFirst().orElseThrow();
    HeadlessChromium.Page page = chromium.open(at("/tasks"));
    assertSound(page);
    String section = "document.querySelector('section.type[data-type=\"order\"]')";
    String chart = "echarts.getInstanceByDom(" + section + ".querySelector('div.chart'))";
    assertEquals("true", page.evaluate("String(!!" + chart + ")"), "ECharts drew the order histogram");
    assertEquals(order.completed(), number(page, chart + ".getOption().series[0].data.reduce((n, c) => n + c, 0)"),
        "the chart's bars count the completed orders");
    assertTrue(number(page, section + ".querySelectorAll('div.chart canvas').length") > 0);

    // A click on the slowest bucket's bar, where ECharts draws it, as a user's.
    String rows = section + ".querySelectorAll('table.histogram tbody tr')";
    long slowestCount = number(page, "[..." + rows + "].pop().cells[1].dataset.count");
    String href = ViewBrowser.clickSlowestBar(page, section);
    awaitPage(page, "/tasks/list");
    assertEquals(href, page.evaluate("location.pathname + location.search"), "the bar's link was followed");
    assertSound(page);
    String summaryLine = page.evaluate("document.getElementById('summary').textContent");
    long listed = Long.parseLong(summaryLine.replaceAll(" .*", ""));
    // Orders still open when the trace ended are listed by how long they had run; the bar counts completed ones.
    assertTrue(listed >= slowestCount, () -> summaryLine + "; the bar counts " + slowestCount);

    // Its first task, as a click on it: whatever it is (an order stalled while the recording
    // started may have begun before the trace, or still be open at its end), its page shows it.
    String firstPath = page.evaluate("document.querySelector('#instances tbody tr a').getAttribute('href')");
    page.evaluate("(document.querySelector('#instances tbody tr a').click(), 'clicked')");
    awaitPage(page, firstPath);
    assertTaskPage(page);

    // The slowest order that began and ended within the trace, from the list of all orders its
    // type's link leads to: its page has every step of it. It began half a second in or later:
    // once, on JDK 25, an order that began in the trace's first moments, while the recording was
    // starting, lacked its first region (its begin is in its end event, recorded later; the
    // region, it seems, began before JFR had enabled the event).
    page.evaluate("(document.getElementById('type').click(), 'clicked')");
    awaitPage(page, "/tasks/list");
    assertSound(page);
    String whole = "[...document.querySelectorAll('#instances tbody tr')]"
        + ".find(r => r.cells[3].textContent === '' && /^\\+[0-9.]+s$/.test(r.cells[2].textContent)"
        + " && parseFloat(r.cells[2].textContent.slice(1)) >= 0.5)";
    String taskPath = page.evaluate("(r => r ? r.querySelector('a').getAttribute('href') : '')(" + whole + ")");
    assertTrue(taskPath.startsWith("/task/0/"), () -> "no order began and ended in the trace: "
        + page.evaluate("document.getElementById('summary').textContent"));
    page.evaluate("(" + whole + ".querySelector('a').click(), 'clicked')");
    awaitPage(page, taskPath);
    List<String> threads = assertTaskPage(page);
    assertTrue(threads.stream().anyMatch(t -> t.startsWith("barista-")), () -> "an order's steps run on the baristas: " + threads);
    List<String> regions = Arrays.asList(page.evaluate("[...document.querySelectorAll('#steps tr.region .text')].map(t => t.textContent).join('|')")
        .split("\\|"));
    assertTrue(regions.containsAll(List.of("grindBeans", "pullShot", "serve")), regions::toString);

    // Its first region's page.
    String region = "document.querySelector('#steps a.region-link')";
    String regionType = page.evaluate(region + ".textContent");
    String regionThread = page.evaluate(region + ".closest('tr').querySelector('td.thread').textContent");
    String regionPath = page.evaluate(region + ".getAttribute('href')");
    page.evaluate("(" + region + ".click(), 'clicked')");
    awaitPage(page, regionPath);
    assertSound(page);
    assertEquals(regionType + "|" + regionThread + "|" + taskPath, page.evaluate(
        "document.getElementById('type').textContent + '|' + document.getElementById('thread').textContent"
            + " + '|' + document.querySelector('#task a').getAttribute('href')"));
    assertTrue(number(page, "document.querySelector('div.activity').dataset.drawn") > 0, "the region's meanwhile chart was drawn");

    // Its task's flame graphs: the task is the list's, whose id is in its path.
    flameGraphs("task=" + taskPath.substring("/task/".length()));
  }

  /**
   * Checks a task's page: an order, on threads that its table names, its steps and the meanwhile
   * chart drawn; the thread names.
   */
  private static List<String> assertTaskPage(HeadlessChromium.Page page) {
    assertSound(page);
    assertEquals("order", page.evaluate("document.getElementById('type').textContent"));
    List<String> threads = Arrays.asList(page.evaluate("[...document.querySelectorAll('#threads td.thread')].map(t => t.textContent).join('|')")
        .split("\\|"));
    assertFalse(threads.contains(""), threads::toString);
    for (String thread : page.evaluate("[...document.querySelectorAll('#steps td.thread')].map(t => t.textContent).join('|')").split("\\|")) {
      assertTrue(threads.contains(thread), () -> "a step on " + thread + ", not one of the task's threads " + threads);
    }
    long steps = number(page, "document.querySelectorAll('#steps tbody tr').length");
    boolean unfinished = page.evaluate("document.getElementById('duration').parentElement.textContent").contains("unfinished");
    assertTrue(steps > 0 || unfinished, "a finished order ends with its serve region on the request's thread");
    if (steps > 0) {
      assertEquals(String.valueOf(steps), page.evaluate("document.querySelector('div.timeline').dataset.drawn"), "the steps' chart drew every step");
    }
    long meanwhile = number(page, "document.querySelectorAll('#activity tbody tr').length");
    assertTrue(meanwhile >= number(page, "document.querySelectorAll('#steps tr.region').length"), "the meanwhile table has the task's regions");
    if (meanwhile > 0) {
      assertEquals(String.valueOf(meanwhile), page.evaluate("document.querySelector('div.activity').dataset.drawn"),
          "the meanwhile chart drew every event of its table");
    }
    return threads;
  }

  @Test
  void theFlameGraphsOfTheWholeTraceAndOfTheOrdersAreDrawn() throws Exception {
    long[] whole = flameGraphs("");
    long[] orders = flameGraphs("type=order");
    String[] kinds = {"cpu", "alloc", "mutex", "block"};
    assertTrue(whole[0] > 0 && whole[1] > 0, () -> "3 s of the demo under load has CPU and allocation samples: " + Arrays.toString(whole));
    for (int k = 0; k < kinds.length; k++) {
      int kind = k;
      assertTrue(orders[k] <= whole[k], () -> kinds[kind] + ": the orders' " + orders[kind] + " is more than the trace's " + whole[kind]);
    }
  }

  /**
   * Opens the flame graph of each kind for {@code restriction}, waits while it is computed, and
   * checks that the converter's page drew it (or, with nothing to draw, says so): the totals by
   * kind, cpu, alloc, mutex, block.
   */
  private static long[] flameGraphs(String restriction) throws Exception {
    String[] kinds = {"cpu", "alloc", "mutex", "block"};
    long[] totals = new long[kinds.length];
    for (int k = 0; k < kinds.length; k++) {
      String path = "/flame?kind=" + kinds[k] + (restriction.isEmpty() ? "" : "&" + restriction);
      long started = System.nanoTime();
      HeadlessChromium.Page page = chromium.open(at(path));
      // The whole trace's and a type's are read once for all: until then the page says how far, and reloads.
      awaitTrue(page, "document.readyState === 'complete' && (document.getElementById('flame-total') || document.querySelector('.error'))",
          () -> path + " was not drawn");
      assertSound(page);
      long total = number(page, "document.getElementById('flame-total').textContent");
      totals[k] = total;
      System.out.printf("%s: %d in %d ms%n", path, total, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      String unit = kinds[k].equals("mutex") || kinds[k].equals("block") ? "blocking events" : "samples";
      assertTrue(page.evaluate("document.getElementById('flame-nav').textContent").endsWith(": " + total + " " + unit),
          () -> path + ": " + page.evaluate("document.getElementById('flame-nav').textContent"));
      assertTrue(number(page, "document.querySelectorAll('canvas').length") > 0, path + ": the converter's canvas");
      if (total > 0) {
        // The converter weighs CPU samples by one, the others by bytes or nanoseconds.
        long width = number(page, "levels[0][0].width");
        assertTrue(kinds[k].equals("cpu") ? width == total : width >= total, () -> path + ": the converter's script drew "
            + width + " for " + total);
      }
    }
    return totals;
  }

  @Test
  void aTimelineWindowIsDrawnAndTheFindingsFinish() throws Exception {
    HeadlessChromium.Page timeline = chromium.open(at("/timeline"));
    String div = "document.querySelector('div.trace-timeline')";
    awaitTrue(timeline, div + ".dataset.drawn || " + div + ".dataset.failed", () -> "the timeline window was not drawn");
    assertEquals("", timeline.evaluate(div + ".dataset.failed || ''"));
    assertSound(timeline);
    assertTrue(number(timeline, div + ".dataset.drawn") > 0);
    assertTrue(number(timeline, div + ".dataset.tasks") > 0, "the window's orders are drawn as tasks");
    // Answers are kept short: HeadlessChromium reads them with a regex that recurses per character.
    assertEquals("true", timeline.evaluate("String(echarts.getInstanceByDom(" + div + ").getOption().yAxis[0].data"
        + ".some(row => row.startsWith('barista-')))"), "a row per thread, the baristas' among them");

    HeadlessChromium.Page findings = chromium.open(at("/findings"));
    awaitTrue(findings, "document.getElementById('state') && document.getElementById('state').dataset.done === 'true'",
        () -> "the rules did not finish");
    assertSound(findings);
    assertTrue(number(findings, "document.querySelectorAll('tr.finding').length") > 0, "the rules' results");
    assertEquals("false", findings.evaluate("String(!!document.getElementById('progress'))"), "the page no longer says the rules run");
  }
}
