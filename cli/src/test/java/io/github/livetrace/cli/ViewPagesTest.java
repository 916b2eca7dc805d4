package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code view}'s pages in a real browser, on a real trace served in this JVM on a random loopback
 * port: what they show is checked against what {@code summary} and {@code tasks} print for the
 * same file. Which order is slowest is read from the trace (on a busy machine a 10 ms order may
 * take longer than a 70 ms one), and so is every count.
 */
class ViewPagesTest {
  private static final long[] ORDER_MILLIS = {10, 30, 50, 70};
  /** A task type that is HTML: the pages must show it as text. */
  static final String ODD_TYPE = "<i id=injected>odd</i> & \"quoted\"";

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL =
      Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "barista-" + THREADS.incrementAndGet())));

  private static Path file;
  private static ViewServer server;
  private static HeadlessChromium chromium;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  @SuppressWarnings("try") // scopes are closed, not used
  static void recordAndServe() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)), () -> {
      Task batch = Trace.newTask("batch");
      try (Task.Scope b = batch.makeCurrent()) {
        for (long millis : ORDER_MILLIS) {
          Task order = Trace.newTask("order");
          try (Task.Scope s = order.makeCurrent()) {
            Trace.withRegion("wait", () -> work(millis));
          } finally {
            order.end();
          }
        }
        Task order = Trace.newTask("order"); // about 120 ms, on two threads
        try (Task.Scope s = order.makeCurrent()) {
          Future<?> brew = POOL.submit(() -> Trace.withRegion("brew", () -> {
            Trace.log("barista", "espresso for Ann");
            work(120);
          }));
          Trace.withRegion("steam", () -> work(60));
          brew.get(30, TimeUnit.SECONDS);
          Trace.newTask("receipt").end();
        } finally {
          order.end();
        }
        Trace.newTask(ODD_TYPE).end();
      } finally {
        batch.end();
      }
    });
    file = TraceFiles.write(trace);
    Fleet fleet = Fleet.open(List.of(file), note -> {});
    server = ViewServer.bind(0);
    server.serve(fleet, TraceSummary.of(fleet));
    chromium = HeadlessChromium.start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  private static URI at(String pathAndQuery) {
    return server.uri().resolve(pathAndQuery);
  }

  private static Map<String, Object> summaryJson() {
    return Json.object(Json.parse(Cli.run("summary", "--format", "json", file.toString()).ok().out()));
  }

  private static long number(Object value) {
    return ((BigDecimal) value).longValueExact();
  }

  /** Fails if anything the page loaded, or links to, is not on the viewer's own origin. */
  private static void assertOnlyLoopback(HeadlessChromium.Page page) {
    String origin = "http://127.0.0.1:" + server.uri().getPort() + "/";
    String loaded = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))");
    assertTrue(loaded.contains(origin + "static/echarts.min.js"), "the chart library was loaded from here: " + loaded);
    String foreign = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name)"
        + ".concat([...document.querySelectorAll('[src],[href],[action]')].map(e => e.src || e.href || e.action))"
        + ".filter(u => !u.startsWith(" + jsString(origin) + ")))");
    assertEquals("[]", foreign, "requests and links that leave 127.0.0.1");
  }

  private static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Waits until the tab shows a page at {@code path} (after a click) and has loaded it. */
  private static void awaitPage(HeadlessChromium.Page page, String path) {
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "true".equals(page.evaluate("String(location.pathname === " + jsString(path)
            + " && document.readyState === 'complete')"));
      } catch (AssertionError e) {
        return false; // between two documents
      }
    }), () -> "the browser did not reach " + path);
  }

  @Test
  void overviewShowsWhatSummarySays() throws Exception {
    Map<String, Object> summary = summaryJson();
    HeadlessChromium.Page page = chromium.open(at("/"));
    assertEquals(String.valueOf(number(summary.get("chunks"))), page.evaluate("document.getElementById('chunks').textContent"));
    assertEquals(String.valueOf(number(summary.get("events"))), page.evaluate("document.getElementById('events').textContent"));
    assertEquals(String.valueOf(Json.array(summary.get("threads")).size()), page.evaluate("document.getElementById('threads').textContent"));
    assertEquals("1", page.evaluate("String(document.querySelectorAll('#jvm-table tbody tr').length)"));
    // The JVM's row: its events are all of the trace's, its tasks all of them.
    long tasks = Json.array(summary.get("tasks")).stream().mapToLong(t -> number(Json.object(t).get("count"))).sum();
    assertEquals(number(summary.get("events")) + "," + tasks,
        page.evaluate("(r => r.cells[6].textContent + ',' + r.cells[7].textContent)(document.querySelector('#jvm-table tbody tr'))"));
    assertEquals("/tasks,/regions,/timeline,/findings", page.evaluate("[...document.querySelectorAll('nav a')].slice(1).map(a => a.getAttribute('href')).join()"));
    assertOnlyLoopback(page);
  }

  @Test
  void theOrderHistogramCountsWhatSummaryCountsAndItsSlowestBarLeadsToTheSlowestTask() throws Exception {
    Map<String, Object> order = Json.array(summaryJson().get("tasks")).stream().map(Json::object)
        .filter(t -> t.get("type").equals("order")).findFirst().orElseThrow();
    String tasks = Cli.run("tasks", file.toString(), "--type", "order", "--limit", "1").ok().out();
    Matcher slowest = Pattern.compile("(?m)^task (\\d+)  order").matcher(tasks);
    assertTrue(slowest.find(), tasks);
    List<String> threadsOfSlowest = threadNames(tasks);

    HeadlessChromium.Page page = chromium.open(at("/tasks"));
    String section = "document.querySelector('section.type[data-type=\"order\"]')";
    assertEquals(String.valueOf(number(order.get("count"))), page.evaluate(
        "String([..." + section + ".querySelectorAll('table.histogram tbody tr')].reduce((n, r) => n + Number(r.cells[1].dataset.count), 0))"));
    assertEquals(String.valueOf(ORDER_MILLIS.length + 1), String.valueOf(number(order.get("count"))));
    assertEquals("1", page.evaluate(section + ".querySelector('div.chart').dataset.drawn"), "ECharts drew one series");
    assertTrue(Long.parseLong(page.evaluate("String(" + section + ".querySelectorAll('canvas').length)")) > 0);
    assertOnlyLoopback(page);

    // A click on the chart's last bar (the slowest bucket), where ECharts draws it.
    String href = ViewBrowser.clickSlowestBar(page, section);
    awaitPage(page, "/tasks/list");
    assertEquals(href, page.evaluate("location.pathname + location.search"), "the bar's link was followed");
    String first = page.evaluate("document.querySelector('#instances tbody tr a').textContent");
    assertEquals(slowest.group(1), first, "the slowest bucket lists the slowest order first");
    assertOnlyLoopback(page);

    page.evaluate("(document.querySelector('#instances tbody tr a').click(), 'clicked')");
    awaitPage(page, "/task/0/" + slowest.group(1));
    List<String> steps = Arrays.asList(page.evaluate(
        "[...document.querySelectorAll('#steps tr.region')].map(r => r.cells[2].textContent + ':' + r.querySelector('.text').textContent).join('|')")
        .split("\\|"));
    assertTrue(steps.contains("barista-1:brew"), steps.toString());
    assertTrue(steps.stream().anyMatch(s -> s.endsWith(":steam") && !s.startsWith("barista")), steps.toString());
    List<String> threads = Arrays.asList(page.evaluate(
        "[...document.querySelectorAll('#threads td.thread')].map(td => td.textContent).join('|')").split("\\|"));
    assertEquals(threadsOfSlowest, threads, "the threads that tasks names");
    assertTrue(page.evaluate("document.getElementById('steps').textContent").contains("barista: espresso for Ann"));
    assertTrue(page.evaluate("document.getElementById('parent').textContent").endsWith("batch"));
    assertTrue(page.evaluate("document.getElementById('children').textContent").contains("receipt"));
    String steps2 = page.evaluate("String(document.querySelectorAll('#steps tbody tr').length)");
    assertEquals(steps2, page.evaluate("document.querySelector('div.timeline').dataset.drawn"), "the timeline drew every step");
    assertOnlyLoopback(page);

    page.evaluate("(document.querySelector('#parent a').click(), 'clicked')");
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "batch".equals(page.evaluate("document.getElementById('type') ? document.getElementById('type').textContent : ''"));
      } catch (AssertionError e) {
        return false;
      }
    }), "the parent's link leads to the batch task");
  }

  /** The thread names of the first task of {@code tasks}' output, as its "threads" line gives them. */
  private static List<String> threadNames(String tasksOutput) {
    Matcher line = Pattern.compile("(?m)^  threads   (.*)$").matcher(tasksOutput);
    assertTrue(line.find(), tasksOutput);
    List<String> names = new ArrayList<>();
    for (String thread : line.group(1).split(", (?=[^,]* \\(\\d+ regions?\\))")) {
      names.add(thread.replaceAll(" \\(\\d+ regions?\\)$", ""));
    }
    return names;
  }

  @Test
  void regionBucketsListTheirRegionsEachLinkedToItsTask() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/regions"));
    String section = "document.querySelector('section.type[data-type=\"brew\"]')";
    String href = page.evaluate(section + ".querySelector('table.histogram tbody tr:last-child a').getAttribute('href')");
    HeadlessChromium.Page list = chromium.open(at(href));
    assertEquals("barista-1", list.evaluate("document.querySelector('#instances tbody tr').cells[2].textContent"));
    assertTrue(list.evaluate("document.querySelector('#instances tbody tr a').getAttribute('href')").startsWith("/task/0/"));
    assertOnlyLoopback(list);
  }

  @Test
  void typesFromTheTraceAreTextNotMarkup() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/tasks"));
    assertEquals("0", page.evaluate("String(document.querySelectorAll('#injected').length)"));
    assertTrue(page.evaluate("document.body.textContent").contains(ODD_TYPE));
    String href = page.evaluate("[...document.querySelectorAll('section.type')].find(s => s.querySelector('h2').textContent === "
        + jsString(ODD_TYPE) + ").querySelector('table.histogram a').getAttribute('href')");
    HttpResponse<String> list = get(href);
    assertEquals(200, list.statusCode(), list.body());
    assertTrue(list.body().contains("1 task of type &#39;&lt;i id=injected&gt;odd&lt;/i&gt; &amp; &quot;quoted&quot;&#39;"), list.body());
  }

  @Test
  void unknownTasksTypesAndPagesAre404sThatLinkBack() throws Exception {
    for (String path : List.of("/task/0/999999", "/task/7/1", "/task/0/x", "/tasks/list?type=nosuch", "/regions/list?type=nosuch", "/nothing")) {
      HttpResponse<String> response = get(path);
      assertEquals(404, response.statusCode(), path);
      assertTrue(response.body().contains("<a href=\"/\">Overview</a>"), response.body());
    }
    HeadlessChromium.Page page = chromium.open(at("/task/0/999999"));
    assertEquals("the trace has no task 999999", page.evaluate("document.querySelector('.error').textContent"));
    assertEquals("/tasks", page.evaluate("document.querySelector('.error + p a').getAttribute('href')"));
  }

  @Test
  void badRangesAre400sThatSayWhatIsAccepted() throws Exception {
    HttpResponse<String> unit = get("/tasks/list?type=order&min=5parsecs");
    assertEquals(400, unit.statusCode());
    assertTrue(unit.body().contains("min: &#39;5parsecs&#39; has an unknown unit"), unit.body());
    HttpResponse<String> order = get("/tasks/list?type=order&min=1s&max=1ms");
    assertEquals(400, order.statusCode());
    assertTrue(order.body().contains("min (1s) is larger than max (1ms)"), order.body());
    HttpResponse<String> jvm = get("/tasks/list?type=order&jvm=3");
    assertEquals(400, jvm.statusCode());
    assertTrue(jvm.body().contains("want 0 to 0"), jvm.body());
    HttpResponse<String> typed = get("/tasks/list?type=order&min=0&max=1h");
    assertEquals(200, typed.statusCode());
    assertTrue(typed.body().contains("<p id=summary>" + (ORDER_MILLIS.length + 1) + " tasks of type"), typed.body());
  }

  /**
   * A page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) would send
   * its own name as Host: refused, and every page forbids loading from other origins.
   */
  @Test
  void onlyThisOriginIsServedAndAllowed() throws Exception {
    int port = server.uri().getPort();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: rebound.example:" + port + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
      assertTrue(answer.contains("this viewer answers requests for 127.0.0.1:" + port + " only"), answer);
    }
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'; script-src 'self';"),
        page.headers().toString());
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(at(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
