package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.percentile;
import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.JsonOutput;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.jfr.JfrDecoder;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code summary} of a trace whose workload is known: counts, percentiles, logs, chunks. */
class SummaryCommandTest {
  private static final int ORDERS = 20;

  private static byte[] trace;
  private static Path file;
  private static Task leak;

  /** An open task is open in every later trace of this JVM, those of other tests too. */
  @org.junit.jupiter.api.AfterAll
  static void endTheLeak() {
    leak.end();
  }

  @BeforeAll
  @SuppressWarnings("try") // scopes and regions are closed, not used
  static void record() throws Exception {
    Task early = Trace.newTask("early"); // begins before the trace: only its end is recorded
    trace =
        Recordings.record(
            TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), // several chunks, even on a busy machine
            () -> {
              leak = Trace.newTask("leak"); // not ended in the trace
              Task batch = Trace.newTask("batch");
              try (Task.Scope b = batch.makeCurrent()) {
                Trace.log("batch", "starting " + ORDERS + " orders");
                for (int i = 0; i < ORDERS; i++) {
                  long brewMillis = 5 + (i % 5) * 5; // 5, 10, 15, 20, 25 ms
                  Task order = Trace.newTask("order");
                  try (Task.Scope s = order.makeCurrent()) {
                    Trace.withRegion(
                        "brew",
                        () -> {
                          work(brewMillis);
                          Trace.withRegion("grind", () -> work(1));
                        });
                    Trace.log("order", "espresso " + i);
                  } finally {
                    order.end();
                  }
                }
              } finally {
                batch.end();
              }
              early.end();
            });
    file = TraceFiles.write(trace);
  }

  @Test
  void countsTasksRegionsAndLogsAsTheWorkloadDidThem() {
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", file.toString()).ok().out()));
    Map<String, Map<String, Object>> tasks = byKey(summary.get("tasks"), "type");
    assertCounts(tasks.get("order"), ORDERS, ORDERS);
    assertCounts(tasks.get("batch"), 1, 1);
    assertCounts(tasks.get("early"), 1, 1);
    assertCounts(tasks.get("leak"), 1, 0);
    Map<String, Map<String, Object>> regions = byKey(summary.get("regions"), "type");
    assertEquals(ORDERS, Json.number(regions.get("brew").get("count")));
    assertEquals(ORDERS, Json.number(regions.get("grind").get("count")));
    Map<String, Map<String, Object>> logs = byKey(summary.get("logs"), "category");
    assertEquals(ORDERS, Json.number(logs.get("order").get("count")));
    assertEquals(1, Json.number(logs.get("batch").get("count")));
    assertEquals(TraceFiles.chunks(trace).size(), Json.number(summary.get("chunks")));
    assertTrue(Json.number(summary.get("chunks")) > 1, "the workload spans several chunks");
    assertEquals(TraceFiles.events(trace).size(), Json.number(summary.get("events")));
    String me = Thread.currentThread().getName();
    assertTrue(
        Json.array(summary.get("threads")).stream().anyMatch(t -> me.equals(Json.object(t).get("name"))),
        "the thread that ran the workload is listed");
  }

  @Test
  void percentilesMatchTheRecordedDurationsWithinTheStatedError() {
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", file.toString()).ok().out()));
    List<Long> orders =
        Recordings.where(TraceFiles.events(trace, EventNames.TASK_END), "taskType", "order").stream()
            .map(e -> e.getLong("taskDuration"))
            .collect(Collectors.toList());
    List<Long> brews =
        Recordings.where(TraceFiles.events(trace, EventNames.REGION), "regionType", "brew").stream()
            .map(e -> e.getDuration().toNanos())
            .collect(Collectors.toList());
    assertLatency(byKey(summary.get("tasks"), "type").get("order"), orders);
    assertLatency(byKey(summary.get("regions"), "type").get("brew"), brews);
    long brewP50 = Json.number(byKey(summary.get("regions"), "type").get("brew").get("p50Nanos"));
    assertTrue(brewP50 >= 15_000_000L, "the median brew sleeps 15 ms, was " + brewP50);
    long brewMax = Json.number(byKey(summary.get("regions"), "type").get("brew").get("maxNanos"));
    assertTrue(brewMax >= 25_000_000L, "the longest brew sleeps 25 ms, was " + brewMax);
  }

  @Test
  void chunksSummarizedApartAndMergedGiveTheReportOfOnePassInFileOrder() throws Exception {
    TraceFile trace = TraceFile.open(file);
    assertTrue(trace.chunks().size() > 1, "several chunks to merge");
    TraceSummary inOrder = new TraceSummary(trace.chunks());
    TraceReader.decode(trace, inOrder);
    // As many threads as chunks: a summary of each chunk, and every one of them merged.
    TraceSummary merged = new TraceSummary(trace.chunks());
    List<TraceSummary> summaries = new ArrayList<>();
    new JfrDecoder(trace.path(), trace.chunks()).decode(trace.chunks().size(), () -> new TraceSummary(trace.chunks()), summary -> {
      summaries.add(summary);
      merged.merge(summary);
    });
    assertEquals(trace.chunks().size(), summaries.size(), "a summary per chunk");
    String expected = json(trace, inOrder);
    assertEquals(expected, json(trace, merged));
    assertTrue(expected.contains("\"type\": \"early\""), "a task that began before the trace is in the report");
    assertEquals(1, merged.taskIdsHeld(), "what is held at the end: the leak, open at the end (an end holds its begin)");
  }

  private static String json(TraceFile trace, TraceSummary summary) throws Exception {
    StringWriter out = new StringWriter();
    new SummaryReport(io.github.livetrace.cli.internal.Fleet.of(trace), summary).json(JsonOutput.pretty(out));
    return out.toString();
  }

  @Test
  void textShowsATableRowPerTypeAndTheHistogram() {
    String out = Cli.run("summary", file.toString()).ok().out();
    assertTrue(out.contains(TraceFiles.chunks(trace).size() + " chunks"), out);
    String orderRow = row(out, "order ");
    assertTrue(orderRow.matches("order\\s+20\\s+20\\s+.*\\|.*\\|"), orderRow);
    String leakRow = row(out, "leak ");
    assertTrue(leakRow.matches("leak\\s+1\\s+0\\s+-\\s+-\\s+-\\s+-\\s+\\|\\s+\\|"), leakRow);
    // brews of 5 to 25 ms fall in the 1ms and 10ms decades: cells 5 and 6 of the histogram
    String brewCells = row(out, "brew ").replaceAll(".*\\|(.*)\\|$", "$1");
    assertEquals(10, brewCells.length(), brewCells);
    assertTrue(brewCells.charAt(4) != ' ' && brewCells.charAt(5) != ' ', brewCells);
    assertEquals("    ", brewCells.substring(0, 4), brewCells);
    // the legend names every character a cell can hold
    String legend = out.substring(out.indexOf("Latency columns:"));
    for (char cell : brewCells.replace(" ", "").toCharArray()) {
      assertTrue(legend.contains(" " + cell + " "), () -> "'" + cell + "' is not in the legend: " + legend);
    }
    assertTrue(legend.contains(". : - = + * # % @"), legend);
    assertTrue(Cli.run("summary", "--histograms", file.toString()).ok().out().contains("region brew (20)"));
  }

  private static void assertCounts(Map<String, Object> type, long count, long completed) {
    assertEquals(count, Json.number(type.get("count")), () -> "count of " + type);
    assertEquals(completed, Json.number(type.get("completed")), () -> "completed of " + type);
  }

  private static void assertLatency(Map<String, Object> type, List<Long> exact) {
    for (String p : List.of("p50", "p90", "p99")) {
      double fraction = Integer.parseInt(p.substring(1)) / 100.0;
      long expected = percentile(exact, fraction);
      long actual = Json.number(type.get(p + "Nanos"));
      assertEquals(expected, actual, expected * 0.008, () -> p + " of " + type.get("type"));
    }
    assertEquals(exact.stream().mapToLong(Long::longValue).max().orElseThrow(), Json.number(type.get("maxNanos")));
    long total = exact.size();
    long inHistogram = Json.array(type.get("histogram")).stream().mapToLong(b -> Json.number(Json.object(b).get("count"))).sum();
    assertEquals(total, inHistogram, "every latency is in one histogram bucket");
  }

  private static Map<String, Map<String, Object>> byKey(Object array, String key) {
    return Json.array(array).stream()
        .map(Json::object)
        .collect(Collectors.toMap(o -> (String) o.get(key), o -> o));
  }

  private static String row(String text, String start) {
    return text.lines()
        .filter(l -> l.startsWith(start))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row '" + start + "' in\n" + text));
  }
}
