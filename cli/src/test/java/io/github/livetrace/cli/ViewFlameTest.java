package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.internal.pprof.JfrProfileReader;
import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.StackProfile;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code view}'s flame graphs, drawn by async-profiler's converter, in a real browser: a task's
 * CPU flame graph holds the samples jdk.jfr.consumer finds on its threads while it was current
 * there (a method it ran is in it, one run after it is not), its blocking graph the blocking
 * events, its mutex graph the lock contention the servlet's mutex profile counts, and the page runs
 * its one inline script under a policy that allows that script only.
 */
class ViewFlameTest {
  private static ActivityRecording recording;
  private static ViewServer server;
  private static HeadlessChromium chromium;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void recordAndServe() throws Exception {
    recording = ActivityRecording.get();
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

  /**
   * The order task's spans by Java thread id, as jdk.jfr.consumer reads them: from the start of
   * its first event on the thread to the end of its last.
   */
  private static Map<Long, long[]> spansOfOrder() {
    long id = recording.order()[0];
    Map<Long, long[]> spans = new HashMap<>();
    for (String type : List.of(EventNames.TASK_BEGIN, EventNames.TASK_END, EventNames.REGION, EventNames.LOG)) {
      for (RecordedEvent e : TraceFiles.events(recording.trace, type)) {
        if (e.getLong("taskId") == id) {
          long[] span = spans.computeIfAbsent(e.getThread().getJavaThreadId(), t -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
          span[0] = Math.min(span[0], ActivityRecording.nanos(e.getStartTime()));
          span[1] = Math.max(span[1], ActivityRecording.nanos(e.getEndTime()));
          if (type.equals(EventNames.TASK_END)) { // it holds the begin: taskDuration before, on beginThread
            RecordedThread begun = e.getThread("beginThread") == null ? e.getThread() : e.getThread("beginThread");
            long begin = ActivityRecording.nanos(e.getStartTime()) - e.getDuration("taskDuration").toNanos();
            long[] first = spans.computeIfAbsent(begun.getJavaThreadId(), t -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            first[0] = Math.min(first[0], begin);
            first[1] = Math.max(first[1], begin);
          }
        }
      }
    }
    return spans;
  }

  /** The events of {@code types} whose thread ({@code field}) was in the order task at their start. */
  private static long inOrder(String field, List<String> types) {
    return inOrder(field, types, e -> true);
  }

  /** {@link #inOrder(String, List)}, of the events that {@code which} takes. */
  private static long inOrder(String field, List<String> types, Predicate<RecordedEvent> which) {
    Map<Long, long[]> spans = spansOfOrder();
    long n = 0;
    for (String type : types) {
      for (RecordedEvent e : TraceFiles.events(recording.trace, type)) {
        if (!which.test(e)) {
          continue;
        }
        RecordedThread thread = e.getThread(field);
        long[] span = thread == null ? null : spans.get(thread.getJavaThreadId());
        long at = ActivityRecording.nanos(e.getStartTime());
        n += span != null && at >= span[0] && at <= span[1] ? 1 : 0;
      }
    }
    return n;
  }

  /** Whether the servlet's mutex profile takes the event, by its stack as jdk.jfr.consumer reads it. */
  private static boolean contention(RecordedEvent e) {
    List<StackProfile.Frame> stack = new ArrayList<>();
    for (RecordedFrame f : e.getStackTrace() == null ? List.<RecordedFrame>of() : e.getStackTrace().getFrames()) {
      stack.add(new StackProfile.Frame(f.getMethod().getType().getName() + "." + f.getMethod().getName(), "", 0,
          StackProfile.FrameKind.JAVA));
    }
    return ProfileKind.MUTEX.takes(e.getEventType().getName(), stack);
  }

  /**
   * Opens a flame graph and waits until it is drawn: the whole trace's and a type's say how far
   * their reading is, and reload, until it is done.
   */
  private static HeadlessChromium.Page flame(String path) throws Exception {
    HeadlessChromium.Page page = chromium.open(at(path));
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "true".equals(page.evaluate("String(document.readyState === 'complete' && !!document.getElementById('flame-total'))"));
      } catch (AssertionError e) {
        return false; // between two loads
      }
    }), path + " was drawn");
    return page;
  }

  private static String total(HeadlessChromium.Page page) {
    return page.evaluate("document.getElementById('flame-total').textContent");
  }

  /** Whether the converter's script drew a frame whose name has {@code name} in it (answers stay short: the page's evaluation reads them with a regex). */
  private static boolean drew(HeadlessChromium.Page page, String name) {
    return "true".equals(page.evaluate("String(levels.flat().some(f => f.title.includes('" + name + "')))"));
  }

  @Test
  void aTasksCpuFlameGraphHoldsItsSamplesOnItsThreadsAndNoneFromAfterIt() throws Exception {
    String path = "/flame?kind=cpu&task=0/" + recording.order()[0];
    long started = System.nanoTime();
    HttpResponse<String> response = get(path);
    System.out.printf("task CPU flame graph answered in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    assertEquals(200, response.statusCode(), response.body());
    String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.matches(".*script-src 'sha256-[A-Za-z0-9+/]{43}=';.*"), csp);
    assertTrue(csp.contains("default-src 'self'"), csp);

    HeadlessChromium.Page page = chromium.open(at(path));
    long expected = inOrder("sampledThread", List.of("jdk.ExecutionSample"));
    assertTrue(expected > 0, "the task was sampled");
    assertEquals(String.valueOf(expected), page.evaluate("document.getElementById('flame-total').textContent"));
    assertEquals(String.valueOf(expected), page.evaluate("String(levels[0][0].width)"), "the converter's script ran and drew them");
    assertTrue(drew(page, "spinInsideTheTask"));
    assertFalse(drew(page, "spinOutsideTheTask"));
    assertOnlyLoopback(page);

    // The whole trace has the samples from after the task too.
    HeadlessChromium.Page whole = flame("/flame?kind=cpu");
    assertTrue(drew(whole, "spinOutsideTheTask"));
    // The task type's graph is the one task's: the trace has one order.
    HeadlessChromium.Page type = flame("/flame?kind=cpu&type=order");
    assertEquals(String.valueOf(expected), type.evaluate("document.getElementById('flame-total').textContent"));
  }

  @Test
  void aTasksBlockingFlameGraphHoldsItsBlockingEvents() throws Exception {
    HeadlessChromium.Page page = chromium.open(at("/flame?kind=block&task=0/" + recording.order()[0]));
    long expected = inOrder("eventThread", ProfileKind.BLOCK.events());
    assertTrue(expected >= 2, "the barista waited for the lock and slept");
    assertEquals(String.valueOf(expected), page.evaluate("document.getElementById('flame-total').textContent"));
    assertTrue(drew(page, "java.lang.Object"), "the lock's class as a leaf");
    HeadlessChromium.Page alloc = chromium.open(at("/flame?kind=alloc&task=0/" + recording.order()[0]));
    assertEquals(String.valueOf(inOrder("eventThread", List.of("jdk.ObjectAllocationSample"))),
        alloc.evaluate("document.getElementById('flame-total').textContent"));
  }

  @Test
  void aTasksMutexFlameGraphHoldsItsLockContentionAsTheServletsProfileCountsIt() throws Exception {
    String task = "task=0/" + recording.order()[0];
    HeadlessChromium.Page page = flame("/flame?kind=mutex&" + task);
    long expected = inOrder("eventThread", ProfileKind.MUTEX.events(), ViewFlameTest::contention);
    assertTrue(expected >= 2, "the barista waited for the monitor and for the till");
    assertEquals(String.valueOf(expected), total(page));
    assertTrue(drew(page, "java.lang.Object"), "the monitor's class as a leaf");
    assertTrue(drew(page, "ReentrantLock$NonfairSync"), "the till's class as a leaf");
    assertFalse(drew(page, "FutureTask.get"), "waiting for the barista's job is no lock's contention");
    assertOnlyLoopback(page);
    HeadlessChromium.Page block = flame("/flame?kind=block&" + task);
    assertTrue(drew(block, "FutureTask.get"), "but it is blocking");

    // The whole trace's is the servlet's mutex profile, as pprof reads it from the trace with jdk.jfr.consumer.
    StackProfile pprof = JfrProfileReader.read(recording.file, ProfileKind.MUTEX, OptionalLong.empty());
    HeadlessChromium.Page whole = flame("/flame?kind=mutex");
    assertEquals(String.valueOf(pprof.total(0)), total(whole));
    HeadlessChromium.Page type = flame("/flame?kind=mutex&type=order");
    assertEquals(String.valueOf(expected), total(type), "the type's graph is its one task's");
  }

  @Test
  void aTimeRangeHoldsTheSamplesInIt() throws Exception {
    long[] order = recording.order();
    long traceStart = TraceFiles.chunks(recording.trace).stream().mapToLong(c -> c.startNanos()).min().orElseThrow();
    // From the end of the task on: the spin after it, not the one inside it.
    String from = (order[2] - traceStart + 1) + "ns";
    HeadlessChromium.Page page = chromium.open(at("/flame?kind=cpu&from=" + from + "&to=1h"));
    assertTrue(drew(page, "spinOutsideTheTask"));
    assertFalse(drew(page, "spinInsideTheTask"));
  }

  @Test
  void theTaskTypeAndOverviewPagesLinkToFlameGraphs() throws Exception {
    HeadlessChromium.Page overview = chromium.open(at("/"));
    assertEquals("/flame?kind=cpu", overview.evaluate("document.querySelector('.flame-links a').getAttribute('href')"));
    // The overview's form asks for a span: the spin after the task, not the one inside it.
    long[] order = recording.order();
    long traceStart = TraceFiles.chunks(recording.trace).stream().mapToLong(c -> c.startNanos()).min().orElseThrow();
    overview.evaluate("(f => { f.kind.value = 'cpu'; f.from.value = '" + (order[2] - traceStart + 1) + "ns'; f.to.value = '1h';"
        + " f.submit(); return 'submitted'; })(document.getElementById('flame-range'))");
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "true".equals(overview.evaluate("String(location.pathname === '/flame' && document.readyState === 'complete'"
            + " && !!document.getElementById('flame-total'))"));
      } catch (AssertionError e) {
        return false;
      }
    }), "the overview's form leads to a flame graph");
    assertTrue(drew(overview, "spinOutsideTheTask"));
    assertFalse(drew(overview, "spinInsideTheTask"));

    HeadlessChromium.Page types = chromium.open(at("/tasks"));
    assertEquals("/flame?kind=mutex&type=order", types.evaluate(
        "document.querySelector('section.type[data-type=\"order\"] .flame-links a:nth-of-type(3)').getAttribute('href')"));
    assertEquals("/flame?kind=block&type=order", types.evaluate(
        "document.querySelector('section.type[data-type=\"order\"] .flame-links a:nth-of-type(4)').getAttribute('href')"));
    HeadlessChromium.Page task = chromium.open(at("/task/0/" + recording.order()[0]));
    task.evaluate("(document.querySelector('.flame-links a').click(), 'clicked')");
    assertTrue(TraceFiles.eventually(60, () -> {
      try {
        return "true".equals(task.evaluate("String(location.pathname === '/flame' && document.readyState === 'complete'"
            + " && !!document.getElementById('flame-total'))"));
      } catch (AssertionError e) {
        return false;
      }
    }), "the task page's link leads to its CPU flame graph");
  }

  @Test
  void badRequestsSayWhatIsAccepted() throws Exception {
    HttpResponse<String> kind = get("/flame?kind=heap");
    assertEquals(400, kind.statusCode());
    assertTrue(kind.body().contains("kind=cpu, alloc, mutex or block"), kind.body());
    HttpResponse<String> two = get("/flame?task=0/1&type=order");
    assertEquals(400, two.statusCode());
    assertTrue(two.body().contains("more than one restriction"), two.body());
    HttpResponse<String> from = get("/flame?from=soon");
    assertEquals(400, from.statusCode());
    HttpResponse<String> after = get("/flame?kind=cpu&from=1h&to=2h");
    assertEquals(400, after.statusCode(), "a span after the trace is no empty graph");
    assertTrue(after.body().contains("outside the trace, which lasts"), after.body());
    for (String path : List.of("/flame?task=0/999999", "/flame?task=x", "/flame?type=nosuch")) {
      HttpResponse<String> response = get(path);
      assertEquals(404, response.statusCode(), path);
      assertTrue(response.body().contains("<a href=\"/tasks\">Back</a>"), response.body());
    }
  }

  /** Fails if anything the page loaded, or links to, is not on the viewer's own origin. */
  private static void assertOnlyLoopback(HeadlessChromium.Page page) {
    String origin = "http://127.0.0.1:" + server.uri().getPort() + "/";
    String foreign = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name)"
        + ".concat([...document.querySelectorAll('[src],[href],[action]')].map(e => e.src || e.href || e.action))"
        + ".filter(u => !u.startsWith('" + origin + "')))");
    assertEquals("[]", foreign, "requests and links that leave 127.0.0.1");
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(at(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
