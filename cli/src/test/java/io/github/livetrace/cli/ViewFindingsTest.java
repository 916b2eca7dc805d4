package io.github.livetrace.cli;

import static io.github.livetrace.cli.ViewBrowser.assertOnlyLoopback;
import static io.github.livetrace.cli.ViewBrowser.awaitPage;
import static io.github.livetrace.cli.ViewBrowser.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code view}'s findings in a real browser: JDK Mission Control's rules run on a real trace with
 * a second of back-to-back full GCs, the GC rule's result points into that second, and its link
 * leads to a timeline window that holds the moment.
 */
class ViewFindingsTest {
  private static long gcFrom;
  private static long gcTo;
  private static long origin;
  private static long traceEnd;
  private static ViewServer server;
  private static HeadlessChromium chromium;

  @BeforeAll
  @SuppressWarnings("try") // scopes are closed, not used
  static void recordAndServe() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(500)), () -> {
      Recordings.work(100);
      Task task = Trace.newTask("collect");
      try (Task.Scope scope = task.makeCurrent()) {
        gcFrom = Timestamps.nanos(Instant.now());
        long until = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < until) {
          System.gc(); // explicit full collections, pausing the JVM nearly all the time
        }
        gcTo = Timestamps.nanos(Instant.now());
      } finally {
        task.end();
      }
      Recordings.work(100);
    });
    Path file = TraceFiles.write(trace);
    origin = TraceFiles.chunks(trace).stream().mapToLong(c -> c.startNanos()).min().orElseThrow();
    traceEnd = TraceFiles.chunks(trace).stream().mapToLong(c -> c.endNanos()).max().orElseThrow();
    Fleet fleet = Fleet.open(List.of(file), note -> {});
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

  @Test
  void theGcFindingLinksToTheTimelineWindowOfThePauses() throws Exception {
    HeadlessChromium.Page page = chromium.open(server.uri().resolve("/findings"));
    awaitTrue(page, "document.getElementById('state') && document.getElementById('state').dataset.done === 'true'",
        () -> "the rules did not finish");
    assertEquals("", page.evaluate("document.getElementById('failure') ? document.getElementById('failure').textContent : ''"));
    long rows = Long.parseLong(page.evaluate("String(document.querySelectorAll('tr.finding').length)"));
    assertTrue(rows >= 40, "a result per rule of JMC's: " + rows);
    assertTrue(page.evaluate("[...document.querySelectorAll('tr.finding')].map(r => r.dataset.rule).join()").contains("HighGc"));

    // The GC rule's pause cluster lies in the second of full GCs.
    String row = "document.querySelector('tr.finding[data-rule=\"HighGc\"]')";
    assertEquals("true", page.evaluate("String(" + row + ".hasAttribute('data-from'))"),
        () -> "HighGc points at no time: " + page.evaluate(row + ".textContent"));
    long from = origin + Long.parseLong(page.evaluate(row + ".dataset.from"));
    long to = origin + Long.parseLong(page.evaluate(row + ".dataset.to"));
    long slack = 200_000_000L; // the rule's sliding window starts and ends at its own steps
    assertTrue(from >= gcFrom - slack && to <= gcTo + slack && from <= to,
        () -> "HighGc's time " + (from - origin) + ".." + (to - origin) + " ns is not in the GCs' " + (gcFrom - origin) + ".." + (gcTo - origin));
    assertTrue(page.evaluate(row + ".textContent").contains("paused"), page.evaluate(row + ".textContent"));
    // Some rules point at spans that reach outside the trace (JMC's fixed windows of 10 s and 1 min
    // on a trace of 2 s): a link says, and opens, only what lies within the trace.
    String[] labels = page.evaluate("[...document.querySelectorAll('a.when')].map(a => a.textContent).join('|')").split("\\|");
    assertTrue(labels.length > 1, () -> "links: " + String.join(" ", labels));
    for (String label : labels) {
      String[] at = label.split(" for ");
      assertFalse(at[0].startsWith("-"), () -> "a time before the trace began: " + label);
      long end = Durations.parse(at[0].substring(1)).toNanos() + (at.length > 1 ? Durations.parse(at[1]).toNanos() : 0);
      long rounding = 10_000_000L; // labels have three significant digits
      assertTrue(origin + end <= traceEnd + rounding, () -> "a time after the trace ended: " + label);
    }
    assertOnlyLoopback(page, server.uri());

    page.evaluate("(" + row + ".querySelector('a.when').click(), 'clicked')");
    awaitPage(page, "/timeline");
    long windowFrom = origin + Long.parseLong(page.evaluate("document.getElementById('window').dataset.from"));
    long windowTo = origin + Long.parseLong(page.evaluate("document.getElementById('window').dataset.to"));
    assertTrue(windowFrom <= from && from <= windowTo, "the timeline window holds the moment the finding points at");
    awaitTrue(page, "document.querySelector('div.trace-timeline').dataset.drawn", () -> "the window was not drawn");
    assertTrue(Long.parseLong(page.evaluate("String(echarts.getInstanceByDom(document.querySelector('div.trace-timeline'))"
        + ".getOption().series[0].data.filter(d => d.kind === 'gc').length)")) > 0, "the window shows GCs");
    assertOnlyLoopback(page, server.uri());
  }
}
