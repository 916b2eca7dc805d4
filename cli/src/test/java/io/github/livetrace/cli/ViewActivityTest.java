package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a task's and a region's threads did meanwhile, in a real browser on a real trace: the
 * blocked states, CPU samples and GC pauses the chart draws are the ones {@code jdk.jfr.consumer}
 * reads from the same file for those threads and that span, and a CPU sample taken outside the
 * task is not among them.
 */
class ViewActivityTest {
  private static ActivityRecording recording;
  private static byte[] trace;
  private static String mainThread;
  private static ViewServer server;
  private static HeadlessChromium chromium;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void recordAndServe() throws Exception {
    recording = ActivityRecording.get();
    trace = recording.trace;
    mainThread = recording.mainThread;
    Fleet fleet = Fleet.open(List.of(recording.file), note -> {});
    server = ViewServer.bind(0);
    server.serve(fleet, TraceSummary.of(fleet));
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

  private static long[] order() {
    return recording.order();
  }

  private static long nanos(Instant t) {
    return ActivityRecording.nanos(t);
  }

  /** An event on the chart or in the file: its type, thread ("(all)" for the JVM) and offset from the span's start. */
  private record Seen(String type, String thread, long offsetNanos) {}

  /** What jdk.jfr.consumer reads of {@code types} on {@code threads} within the span. */
  private static List<Seen> expected(long[] span, Set<String> threads, String... types) {
    List<Seen> seen = new ArrayList<>();
    for (String type : types) {
      for (RecordedEvent e : TraceFiles.events(trace, type)) {
        String field = type.equals("jdk.ExecutionSample") ? "sampledThread" : "eventThread";
        String thread = type.startsWith("jdk.GC") ? "(all)" // the JVM's, across all rows
            : e.getThread(field) == null ? null : e.getThread(field).getJavaName();
        long start = nanos(e.getStartTime());
        long end = nanos(e.getEndTime());
        if (thread != null && threads.contains(thread) && start <= span[2] && end >= span[1]) {
          seen.add(new Seen(type, thread, start - span[1]));
        }
      }
    }
    return sorted(seen);
  }

  private static List<Seen> sorted(List<Seen> seen) {
    seen.sort(java.util.Comparator.comparing(Seen::type).thenComparing(Seen::thread).thenComparingLong(Seen::offsetNanos));
    return seen;
  }

  /**
   * Fails unless the chart drew the events jdk.jfr.consumer reads, each within 10 us (the two
   * convert ticks to times apart, and the chart keeps milliseconds as doubles).
   */
  private static void assertSame(List<Seen> expected, List<Seen> drawn, String what) {
    boolean same = expected.size() == drawn.size();
    for (int i = 0; same && i < expected.size(); i++) {
      Seen e = expected.get(i);
      Seen d = drawn.get(i);
      same = e.type().equals(d.type()) && e.thread().equals(d.thread()) && Math.abs(e.offsetNanos() - d.offsetNanos()) <= 10_000;
    }
    assertTrue(same, what + ": jdk.jfr.consumer reads " + expected + ", the chart drew " + drawn);
  }

  /**
   * The events of {@code kind} that the page's activity chart drew, from ECharts' own data; read
   * 20 at a time, as the page's answers must stay short (they are matched with a regex).
   */
  private static List<Seen> drawn(HeadlessChromium.Page page, String kind) {
    String all = "(() => { const div = document.querySelector('div.activity');"
        + " const lanes = JSON.parse(document.getElementById('activity-lanes').textContent);"
        + " const rows = [...document.querySelectorAll('#activity tbody tr')];"
        + " return echarts.getInstanceByDom(div).getOption().series[0].data.map((d, i) => [rows[i].className,"
        + "  rows[i].cells[4].textContent, lanes[d.value[0]] || '(all)', d.value[1]].join('|')).filter(l => l.startsWith("
        + jsString(kind + "|") + ")); })()";
    int count = Integer.parseInt(page.evaluate("String(" + all + ".length)"));
    List<Seen> result = new ArrayList<>();
    for (int from = 0; from < count; from += 20) {
      for (String l : page.evaluate(all + ".slice(" + from + ", " + (from + 20) + ").join('\\n')").split("\n")) {
        String[] f = l.split("\\|");
        result.add(new Seen(f[1], f[2], Math.round(Double.parseDouble(f[3]) * 1e6)));
      }
    }
    return sorted(result);
  }

  private static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String taskPath() {
    return "/task/0/" + order()[0];
  }

  @Test
  void theTaskPageDrawsWhatItsThreadsDidMeanwhileAsJfrRecordedIt() throws Exception {
    long[] order = order();
    long started = System.nanoTime();
    HeadlessChromium.Page page = chromium.open(at(taskPath()));
    System.out.printf("task page with activity loaded in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    Set<String> threads = Set.of(mainThread, "barista-1");
    assertEquals(mainThread + "|barista-1", page.evaluate("JSON.parse(document.getElementById('activity-lanes').textContent).join('|')"));
    assertEquals(page.evaluate("String(document.querySelectorAll('#activity tbody tr').length)"),
        page.evaluate("document.querySelector('div.activity').dataset.drawn"), "the chart drew every event of the table");

    List<Seen> blocked = expected(order, threads, "jdk.JavaMonitorEnter", "jdk.ThreadSleep", "jdk.ThreadPark",
        "jdk.JavaMonitorWait", "jdk.SocketRead", "jdk.SocketWrite", "jdk.FileRead", "jdk.FileWrite");
    assertTrue(blocked.stream().anyMatch(e -> e.type().equals("jdk.JavaMonitorEnter") && e.thread().equals("barista-1")),
        "the barista waited for the lock: " + blocked);
    assertTrue(blocked.stream().anyMatch(e -> e.type().equals("jdk.ThreadSleep") && e.thread().equals("barista-1")), blocked.toString());
    assertSame(blocked, drawn(page, "blocked"), "blocked states");

    List<Seen> samples = expected(order, threads, "jdk.ExecutionSample");
    assertFalse(samples.isEmpty());
    assertSame(samples, drawn(page, "sample"), "CPU samples");
    assertEquals("true", page.evaluate("String([...document.querySelectorAll('#activity tr.sample td.what')]"
        + ".some(td => td.textContent.startsWith('ActivityRecording.spinUntilSampled:')))"), "the top frame of the task's spin");
    assertTrue(recording.sampled("spinOutsideTheTask") > 0, "a sample outside the task exists");
    assertEquals("", page.evaluate("[...document.querySelectorAll('#activity tr.sample td.what')]"
        + ".filter(td => td.textContent.includes('Outside')).map(td => td.textContent).join()"), "a sample outside the task");

    List<Seen> pauses = expected(order, Set.of("(all)"), "jdk.GCPhasePause");
    assertFalse(pauses.isEmpty(), "System.gc() paused the JVM inside the task");
    assertSame(pauses, drawn(page, "gc"), "GC pauses");
    assertOnlyLoopback(page);
  }

  @Test
  void aRegionLinkLeadsToItsPageWithItsTaskAndItsThreadMeanwhile() throws Exception {
    HeadlessChromium.Page page = chromium.open(at(taskPath()));
    page.evaluate("([...document.querySelectorAll('#steps tr.region a.region-link')].find(a => a.textContent === 'brew').click(), 'clicked')");
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "true".equals(page.evaluate("String(location.pathname.startsWith('/region/') && document.readyState === 'complete'"
            + " && !!document.querySelector('div.activity'))"));
      } catch (AssertionError e) {
        return false;
      }
    }), "the brew region's page");
    long started = System.nanoTime();
    HttpResponse<String> timed = get(page.evaluate("location.pathname"));
    System.out.printf("region page answered in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    assertEquals(200, timed.statusCode());
    assertEquals("brew", page.evaluate("document.getElementById('type').textContent"));
    assertEquals("barista-1", page.evaluate("document.getElementById('thread').textContent"));
    assertEquals(taskPath(), page.evaluate("document.querySelector('#task a').getAttribute('href')"));
    assertEquals("barista-1", page.evaluate("JSON.parse(document.getElementById('activity-lanes').textContent).join('|')"));
    // The region's own span: the sleep inside it and the wait for the lock that began it.
    RecordedEvent brew = TraceFiles.events(trace, EventNames.REGION).stream()
        .filter(e -> "brew".equals(e.getString("regionType"))).findFirst().orElseThrow();
    long[] span = {0, nanos(brew.getStartTime()), nanos(brew.getEndTime())};
    List<Seen> blocked = expected(span, Set.of("barista-1"), "jdk.JavaMonitorEnter", "jdk.ThreadSleep", "jdk.ThreadPark");
    assertTrue(blocked.stream().anyMatch(e -> e.type().equals("jdk.ThreadSleep")), blocked.toString());
    assertSame(blocked, drawn(page, "blocked"), "blocked states of the region's thread");
    assertEquals("this region brew", page.evaluate("document.querySelector('#nested tr.self').cells[2].textContent"));
    assertOnlyLoopback(page);

    // The list of brew regions links to the same page.
    HeadlessChromium.Page list = chromium.open(at("/regions/list?type=brew"));
    assertEquals(page.evaluate("location.pathname"), list.evaluate("document.querySelector('#instances a.region-link').getAttribute('href')"));
  }

  @Test
  void unknownRegionsAre404sThatLinkBack() throws Exception {
    for (String path : List.of("/region/0/1/1", "/region/0/x/1", "/region/5/1/1", "/region/0/1", "/region/0/1/99999999999999999999")) {
      HttpResponse<String> response = get(path);
      assertEquals(404, response.statusCode(), path);
      assertTrue(response.body().contains("<a href=\"/regions\">Back</a>"), response.body());
    }
  }

  /** Fails if anything the page loaded, or links to, is not on the viewer's own origin. */
  private static void assertOnlyLoopback(HeadlessChromium.Page page) {
    String origin = "http://127.0.0.1:" + server.uri().getPort() + "/";
    String foreign = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name)"
        + ".concat([...document.querySelectorAll('[src],[href],[action]')].map(e => e.src || e.href || e.action))"
        + ".filter(u => !u.startsWith(" + jsString(origin) + ")))");
    assertEquals("[]", foreign, "requests and links that leave 127.0.0.1");
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(at(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
