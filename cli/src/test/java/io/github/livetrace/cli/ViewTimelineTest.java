package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static io.github.livetrace.cli.ViewBrowser.assertOnlyLoopback;
import static io.github.livetrace.cli.ViewBrowser.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code view}'s timeline in a real browser, on a real trace served in windows of a third of its
 * events: each window's data is byte for byte what {@code export} writes for the
 * same window, the chart draws every slice and task of it, the next window begins where the
 * previous ends, and bad windows are 400s that say what is accepted.
 */
class ViewTimelineTest {
  private static final ExecutorService POOL =
      Task.propagating(Executors.newSingleThreadExecutor(r -> new Thread(r, "helper")));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path file;
  private static long origin;
  private static final Map<String, long[]> spans = new HashMap<>(); // task type -> [begin, end], ns since the epoch
  private static ViewServer server;
  private static long eventsPerWindow;
  private static HeadlessChromium chromium;

  @BeforeAll
  static void recordAndServe() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)), () -> {
      order("early");
      ticks();
      middle();
      ticks();
      order("late");
    });
    file = TraceFiles.write(trace);
    origin = TraceFiles.chunks(trace).stream().mapToLong(c -> c.startNanos()).min().orElseThrow();
    for (RecordedEvent end : TraceFiles.events(trace, EventNames.TASK_END)) { // it holds the begin, taskDuration before
      long at = Timestamps.nanos(end.getStartTime()); // the end's time; its JFR duration is a leftover
      spans.put(end.getString("taskType"), new long[] {at - end.getDuration("taskDuration").toNanos(), Timestamps.nanos(end.getEndTime())});
    }
    assertTrue(TraceFiles.chunks(trace).size() >= 3, "a trace of several chunks");
    Fleet fleet = Fleet.open(List.of(file), note -> {});
    server = ViewServer.bind(0);
    // Windows of a third of the events the timeline draws (flows and metadata are not counted).
    Path all = Files.createTempFile("view-timeline-", ".json");
    List<Map<String, Object>> events = Exports.export(file, all);
    Files.delete(all);
    long drawn = events.stream().filter(e -> !Set.of("M", "s", "f").contains(String.valueOf(e.get("ph")))).count();
    eventsPerWindow = drawn / 3;
    server.serve(fleet, TraceSummary.of(fleet), eventsPerWindow);
    chromium = HeadlessChromium.start();
  }

  @SuppressWarnings("try") // scopes are closed, not used
  private static void order(String type) {
    Task task = Trace.newTask(type);
    try (Task.Scope scope = task.makeCurrent()) {
      Trace.withRegion(type + " work", () -> work(20));
    } finally {
      task.end();
    }
  }

  /**
   * 300 ms of short regions outside any task, and then a chunk boundary: events spread over the
   * trace, so that a third of them (a window, here) is not crowded into a few milliseconds by a
   * burst of JVM events, and a trace of at least three chunks.
   */
  private static void ticks() {
    int written = Recordings.chunksWritten();
    for (int i = 0; i < 60; i++) {
      Trace.withRegion("tick", () -> work(5));
    }
    Recordings.awaitChunkAfter(written);
  }

  /** A task whose child runs on another thread. */
  @SuppressWarnings("try") // scopes are closed, not used
  private static void middle() throws Exception {
    Task task = Trace.newTask("middle");
    try (Task.Scope scope = task.makeCurrent()) {
      Trace.withRegion("middle work", () -> work(20));
      POOL.submit(() -> order("middle child")).get(30, TimeUnit.SECONDS);
    } finally {
      task.end();
    }
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

  private static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(at(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** What {@code export --from --to} writes for the window of offsets [from, to] ns. */
  private static byte[] export(Path dir, long from, long to) throws Exception {
    Path out = dir.resolve("export-" + from + ".json");
    Cli.run("export", file.toString(), "-o", out.toString(), "--from", from + "ns", "--to", to + "ns").ok();
    return Files.readAllBytes(out);
  }

  private static long[] window(HeadlessChromium.Page page) {
    return new long[] {Long.parseLong(page.evaluate("document.getElementById('window').dataset.from")),
        Long.parseLong(page.evaluate("document.getElementById('window').dataset.to"))};
  }

  /** Waits for the chart, and checks that it drew every slice and task of the window's data. */
  private static List<Map<String, Object>> assertDrawsItsData(HeadlessChromium.Page page) throws Exception {
    awaitTrue(page, "document.querySelector('div.trace-timeline').dataset.drawn || document.querySelector('div.trace-timeline').dataset.failed",
        () -> "the timeline was not drawn");
    assertEquals("", page.evaluate("document.querySelector('div.trace-timeline').dataset.failed || ''"));
    String src = page.evaluate("document.querySelector('div.trace-timeline').dataset.src");
    HttpResponse<byte[]> json = get(src);
    assertEquals(200, json.statusCode());
    assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
    List<Map<String, Object>> events = Json.array(Json.object(Json.parse(new String(json.body(), StandardCharsets.UTF_8)))
        .get("traceEvents")).stream().map(Json::object).collect(Collectors.toList());
    assertEquals(String.valueOf(Exports.with(events, "ph", "X").size()), page.evaluate("document.querySelector('div.trace-timeline').dataset.slices"));
    assertEquals(String.valueOf(Exports.with(events, "ph", "b").size()), page.evaluate("document.querySelector('div.trace-timeline').dataset.tasks"));
    assertTrue(Long.parseLong(page.evaluate("String(document.querySelectorAll('div.trace-timeline canvas').length)")) > 0);
    if (page.evaluate("document.getElementById('window').textContent").startsWith("Window ")) {
      // A planned window holds its share of the events, and the slices that cross into it.
      long inWindow = events.stream().filter(e -> !Set.of("M", "s", "f").contains(String.valueOf(e.get("ph")))).count();
      assertTrue(inWindow <= 2 * eventsPerWindow, () -> inWindow + " events in a window of " + eventsPerWindow);
    }
    return events;
  }

  @Test
  void theFirstWindowIsWhatExportWritesAndNextBeginsWhereItEnds(@TempDir Path dir) throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/timeline"));
    long windows = Long.parseLong(page.evaluate("String(document.querySelectorAll('#windows li').length)"));
    assertTrue(windows >= 3, "a trace of three times the window's events is split: " + windows);
    assertTrue(page.evaluate("document.getElementById('split').textContent").startsWith("The trace is split into " + windows + " windows"));
    long[] first = window(page);
    assertEquals(0, first[0]);
    assertDrawsItsData(page);
    String src = page.evaluate("document.querySelector('div.trace-timeline').dataset.src");
    assertArrayEquals(export(dir, first[0], first[1]), get(src).body(), "the window's data is export's for the same window");
    assertEquals("", page.evaluate("document.getElementById('prev') ? 'a link' : ''"), "the first window has no previous one");
    assertOnlyLoopback(page, server.uri());

    page.evaluate("(document.getElementById('next').click(), 'clicked')");
    awaitTrue(page, "document.getElementById('window') && document.getElementById('window').dataset.from === '" + (first[1] + 1) + "'",
        () -> "the next window begins a nanosecond after the first ends");
    long[] second = window(page);
    List<Map<String, Object>> events = assertDrawsItsData(page);
    for (Map<String, Object> slice : Exports.with(events, "ph", "X")) {
      long start = Json.micros(slice.get("ts"));
      long end = start + Json.micros(slice.get("dur"));
      assertTrue(start <= second[1] && end >= second[0], () -> "outside the window " + Arrays.toString(second) + ": " + slice);
    }
    assertArrayEquals(export(dir, second[0], second[1]),
        get(page.evaluate("document.querySelector('div.trace-timeline').dataset.src")).body());
    assertTrue(page.evaluate("document.getElementById('window').textContent").startsWith("Window 2 of " + windows + ": "));
    assertOnlyLoopback(page, server.uri());
  }

  @Test
  void aWindowAskedForShowsTheTasksThatOverlapIt() throws Exception {
    long[] middle = spans.get("middle child"); // within its parent, on another thread
    long from = middle[0] - origin;
    long to = middle[1] - origin;
    HeadlessChromium.Page page = chromium.open(at("/timeline?from=" + from + "ns&to=" + to + "ns"));
    assertArrayEquals(new long[] {from, to}, window(page));
    assertTrue(page.evaluate("document.getElementById('window').textContent").startsWith("A window of your choice: "));
    assertDrawsItsData(page);
    Set<String> drawn = new TreeSet<>(Arrays.asList(page.evaluate("echarts.getInstanceByDom(document.querySelector('div.trace-timeline'))"
        + ".getOption().series[0].data.filter(d => d.kind === 'task').map(d => d.name.replace(/^task \\d+ /, '')).join('|')").split("\\|")));
    assertEquals(new TreeSet<>(Set.of("middle", "middle child")), drawn);
    Set<String> rows = new TreeSet<>(Arrays.asList(page.evaluate("echarts.getInstanceByDom(document.querySelector('div.trace-timeline'))"
        + ".getOption().yAxis[0].data.join('|')").split("\\|")));
    assertTrue(rows.contains("helper") && rows.contains(Thread.currentThread().getName()), rows::toString);
    // The previous and next windows are as long as it, just before and after it.
    long length = to - from + 1;
    assertEquals("/timeline?from=" + (from - length) + "ns&to=" + (from - 1) + "ns",
        page.evaluate("document.getElementById('prev').getAttribute('href')"));
    assertEquals("/timeline?from=" + (to + 1) + "ns&to=" + (to + length) + "ns",
        page.evaluate("document.getElementById('next').getAttribute('href')"));
    assertOnlyLoopback(page, server.uri());
  }

  /** A window of the whole trace holds three windows' events: it is narrowed, and says so; times are accepted as offsets are. */
  @Test
  void aWindowTooWideIsNarrowedAndTimesAreOffsets() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/timeline?from=0ns&to=1h"));
    long[] window = window(page);
    assertEquals(0, window[0]);
    assertTrue(page.evaluate("document.getElementById('window').textContent").contains("Narrowed at its end"));
    long[] first = window(chromium.open(at("/timeline")));
    assertTrue(window[1] >= first[1] && window[1] < 3_600_000_000_000L, () -> Arrays.toString(window));
    assertDrawsItsData(page);

    long[] middle = spans.get("middle child");
    String from = java.time.Instant.ofEpochSecond(0, middle[0]).toString();
    String to = java.time.Instant.ofEpochSecond(0, middle[1]).toString();
    HeadlessChromium.Page byTime = chromium.open(at("/timeline?from=" + from + "&to=" + to));
    assertArrayEquals(new long[] {middle[0] - origin, middle[1] - origin}, window(byTime));
  }

  @Test
  void badWindowsAre400sThatSayWhatIsAccepted() throws Exception {
    for (String query : List.of("from=5parsecs", "to=yesterday", "from=2s&to=1s", "from=1h", "from=2026-13-45T00:00:00Z")) {
      for (String path : List.of("/timeline?", "/timeline.json?")) {
        HttpResponse<byte[]> response = get(path + query);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(400, response.statusCode(), path + query + ": " + body);
        assertTrue(body.contains("A window is /timeline?from=F&amp;to=T"), body);
        assertTrue(body.contains("<a href=\"/timeline\">Back</a>"), body);
      }
    }
    String pastTheEnd = new String(get("/timeline?from=1h").body(), StandardCharsets.UTF_8);
    assertTrue(pastTheEnd.contains("from (+1h0m0s) is outside the trace, which lasts"), pastTheEnd);
  }

  /**
   * The Perfetto button: nothing listens on 127.0.0.1:9001 until it is followed; then the window
   * is served there, for the Perfetto UI's origin only, byte for byte what export writes for it.
   */
  @Test
  void thePerfettoButtonServesTheSameWindowOnPort9001ForThePerfettoUi(@TempDir Path dir) throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/timeline"));
    long[] window = window(page);
    String href = page.evaluate("document.getElementById('perfetto').getAttribute('href')");
    assertEquals("/perfetto?from=" + window[0] + "ns&to=" + window[1] + "ns", href);
    assertOnlyLoopback(page, server.uri());
    assertFalse(listening(9001), "nothing serves the Perfetto UI before the button is followed");

    HttpResponse<byte[]> handOver = get(href);
    String body = new String(handOver.body(), StandardCharsets.UTF_8);
    assertEquals(200, handOver.statusCode(), body);
    Matcher ui = Pattern.compile("content=\"0; url=https://ui\\.perfetto\\.dev/#!/\\?url=(http://127\\.0\\.0\\.1:9001/livetrace-\\d+-\\d+\\.json)\"")
        .matcher(body);
    assertTrue(ui.find(), body);
    URI served = URI.create(ui.group(1));

    HttpResponse<byte[]> json = HTTP.send(HttpRequest.newBuilder(served).header("Origin", "https://ui.perfetto.dev").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, json.statusCode());
    assertEquals("https://ui.perfetto.dev", json.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertArrayEquals(export(dir, window[0], window[1]), json.body(), "the hand-over serves what export writes for the window");

    HttpResponse<Void> preflight = HTTP.send(HttpRequest.newBuilder(served).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://ui.perfetto.dev").header("Access-Control-Request-Private-Network", "true").build(),
        HttpResponse.BodyHandlers.discarding());
    assertEquals(204, preflight.statusCode());
    assertEquals("true", preflight.headers().firstValue("Access-Control-Allow-Private-Network").orElse(""));

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), 9001)) {
      socket.getOutputStream().write(("GET " + served.getPath() + " HTTP/1.1\r\nHost: rebound.example:9001\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
    }
    assertEquals(404, HTTP.send(HttpRequest.newBuilder(served.resolve("/etc/passwd")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
