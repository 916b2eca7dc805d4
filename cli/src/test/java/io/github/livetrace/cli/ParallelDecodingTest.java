package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.cli.internal.JsonOutput;
import io.github.livetrace.cli.internal.TaskDetails;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the parallel decoder's handlers find, merged, is what one pass finds, for every file and
 * any number of threads: the summary, with thousands of types too (which types keep a row of
 * their own must not depend on which thread read which chunk), and the slowest tasks with their
 * details.
 */
class ParallelDecodingTest {
  /** More task, region and log types than get a row of their own. */
  private static final int TYPES = TraceSummary.MAX_TYPES + 1_000;

  @TempDir static Path dir;
  private static final List<Path> files = new ArrayList<>();
  private static Path manyTypes;

  @BeforeAll
  static void record() throws Exception {
    manyTypes = Files.write(dir.resolve("many-types.jfr"), manyTypesAcrossChunks());
    files.add(manyTypes);
    byte[] spanning = Recordings.recordChunks(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), 4,
        ParallelDecodingTest::overlappingTasks);
    files.add(Files.write(dir.resolve("spanning.jfr"), spanning));
    files.add(Files.write(dir.resolve("spanning-twice.jfr"), Recordings.concatenate(spanning, Files.readAllBytes(manyTypes))));
  }

  /**
   * Every task begins in one chunk and ends chunks later, so that a task's begin and end are
   * read by different threads; each has a type of its own, as do regions and logs.
   */
  @SuppressWarnings("try") // scopes are closed, not used
  private static byte[] manyTypesAcrossChunks() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
    try {
      List<Task> tasks = new ArrayList<>();
      for (int i = 0; i < TYPES; i++) {
        Task task = Trace.newTask("task type " + i);
        tasks.add(task);
        String category = "category " + i;
        try (Task.Scope scope = task.makeCurrent()) {
          Trace.withRegion("region type " + i, () -> Trace.log(category, "x"));
        }
      }
      int written = session.chunksWritten();
      assertTrue(TraceFiles.eventually(60, () -> session.chunksWritten() >= written + 2), "two more chunks");
      tasks.forEach(Task::end);
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    return out.toByteArray();
  }

  /** Tasks that begin in one step and end in a later one, so that many span chunks. */
  private static final List<Task> open = new ArrayList<>();

  private static void overlappingTasks() {
    Task task = Trace.newTask("spanning " + open.size() % 3);
    Trace.withRegion("step", () -> Recordings.work(5));
    open.add(task);
    if (open.size() > 20) {
      open.remove(0).end();
    }
  }

  /** An open task is open in every later trace of this JVM, those of other tests too. */
  @org.junit.jupiter.api.AfterAll
  static void endOpenTasks() {
    open.forEach(Task::end);
  }

  @Test
  void everyNumberOfThreadsGivesTheSummaryOfOnePass() throws Exception {
    for (Path path : files) {
      TraceFile file = TraceFile.open(path);
      TraceSummary onePass = new TraceSummary(file.chunks());
      TraceReader.decode(file, onePass);
      String expected = json(file, onePass);
      for (int threads : new int[] {1, 2, 3, 4, file.chunks().size()}) {
        for (int round = 0; round < 2; round++) {
          TraceSummary merged = new TraceSummary(file.chunks());
          TraceReader.decode(file, threads, () -> new TraceSummary(file.chunks()), merged::merge);
          assertEquals(expected, json(file, merged), path + " on " + threads + " threads, round " + round);
        }
      }
    }
  }

  @Test
  void everyNumberOfThreadsFindsTheTasksOfOnePass() throws Exception {
    for (Path path : files) {
      TraceFile file = TraceFile.open(path);
      // The last filter matches only a region of tasks that end chunks later: a search that reads
      // the end must wait for the one that reads the region.
      for (TaskSearch.Filter filter : List.of(new TaskSearch.Filter(null, 0, Long.MAX_VALUE, null, 5),
          new TaskSearch.Filter(null, 0, Long.MAX_VALUE, "type 1", 3),
          new TaskSearch.Filter(null, 0, Long.MAX_VALUE, "region type 7", 3))) {
        String expected = tasks(file, filter, 0);
        assertTrue(filter.text() == null || !path.equals(manyTypes) || expected.contains("\ntask "), expected);
        assertTrue(filter.text() != null || expected.contains("\ntask "), expected);
        for (int threads : new int[] {1, 2, 3, file.chunks().size()}) {
          assertEquals(expected, tasks(file, filter, threads), path + " on " + threads + " threads, " + filter);
        }
      }
    }
  }

  /** The report of {@code tasks}, read in one pass ({@code threads} 0) or on that many threads. */
  private static String tasks(TraceFile file, TaskSearch.Filter filter, int threads) throws Exception {
    TaskSearch search = new TaskSearch(file, filter);
    if (threads == 0) {
      TraceReader.decode(file, search);
    } else {
      TraceReader.decode(file, threads, () -> new TaskSearch(file, filter), search::merge);
    }
    List<TaskSearch.Match> matches = search.finish();
    TaskDetails details = new TaskDetails(file, matches);
    if (threads == 0) {
      TraceReader.decode(file, details);
    } else {
      TraceReader.decode(file, threads, () -> new TaskDetails(file, matches), details::merge);
    }
    StringWriter out = new StringWriter();
    new TaskReport(io.github.livetrace.cli.internal.Fleet.of(file), search, details).print(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void withThousandsOfTypesEveryRowCountsTheBeginAndEndOfItsTasks() {
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", manyTypes.toString()).ok().out()));
    List<Map<String, Object>> tasks = Json.array(summary.get("tasks")).stream().map(Json::object).toList();
    assertEquals(TraceSummary.MAX_TYPES + 1, tasks.size(), "the most types, and the others together");
    long total = 0;
    for (Map<String, Object> row : tasks) {
      assertEquals(row.get("count"), row.get("completed"), () -> "every task of " + row.get("type") + " ended");
      total += Json.number(row.get("count"));
    }
    assertEquals(TYPES, total);
    Map<String, Object> other = tasks.stream().filter(t -> TraceSummary.OTHER_TYPES.equals(t.get("type"))).findFirst()
        .orElseThrow();
    assertEquals(TYPES - TraceSummary.MAX_TYPES, Json.number(other.get("count")));
    long regions = Json.array(summary.get("regions")).stream().mapToLong(r -> Json.number(Json.object(r).get("count"))).sum();
    assertEquals(TYPES, regions);
  }

  private static String json(TraceFile file, TraceSummary summary) throws Exception {
    StringWriter out = new StringWriter();
    new SummaryReport(io.github.livetrace.cli.internal.Fleet.of(file), summary).json(JsonOutput.pretty(out));
    return out.toString();
  }
}
