package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.TraceFiles;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace larger than the heap: {@code summary} streams it in a JVM with -Xmx64m, and keeps
 * state only for the tasks that are open.
 */
class BoundedMemoryTest {
  /** About 100 bytes of trace each: a trace of about 100 MB, in chunks of JFR's 12 MB. */
  private static final int TASKS = 1_000_000;

  /** Parts of the workload, each ending in a chunk of its own or more. */
  private static final int PARTS = 8;

  @TempDir static Path dir;
  private static Path file;

  @BeforeAll
  static void recordABigTrace() throws Exception {
    file = dir.resolve("big.jfr");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      // A loop of tasks on a busy machine can write JFR data faster than the chunks are read back
      // within the default 10 s write timeout; this test is about the CLI's memory, not that.
      TraceSession session =
          Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)).withWriteTimeout(Duration.ofMinutes(10)));
      try {
        // The tasks are spread over at least PARTS chunks whatever the machine's speed: after
        // each part, wait for a chunk to be finished and written.
        for (int part = 0; part < PARTS; part++) {
          for (int i = part * (TASKS / PARTS); i < (part + 1) * (TASKS / PARTS); i++) {
            request(i);
          }
          int written = session.chunksWritten();
          assertTrue(TraceFiles.eventually(60, () -> session.chunksWritten() > written), "no chunk was written");
        }
      } finally {
        Trace.stop();
      }
      assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    }
  }

  @SuppressWarnings("try") // scopes and regions are closed, not used
  private static void request(long n) {
    Task task = Trace.newTask(n % 2 == 0 ? "read" : "write");
    try (Task.Scope scope = task.makeCurrent(); Region handler = Trace.startRegion("handler")) {
      Trace.withRegion("query", () -> {});
      if (n % 4 == 0) {
        Trace.log("app", "request " + n);
      }
    } finally {
      task.end();
    }
  }

  @Test
  void summaryOfATraceLargerThanTheHeapRunsInSixtyFourMegabytes() {
    assertTrue(Files.isRegularFile(file));
    ChildJvm.Result result =
        ChildJvm.run(List.of("-Xmx64m"), Map.of(), LivetraceCli.class, "summary", "--format", "json", file.toString());
    assertEquals(0, result.exitCode(), result.output());
    String output = result.output();
    Map<String, Object> summary = Json.object(Json.parse(output.substring(output.indexOf('{'))));
    assertTrue(Json.number(summary.get("bytes")) > 64L * 1024 * 1024, "the trace is larger than the heap");
    assertTrue(Json.number(summary.get("chunks")) > 1, "several chunks");

    String jfrSummary = TraceFiles.jfr(file, "summary");
    long ends = jfrCount(jfrSummary, EventNames.TASK_END);
    long regions = jfrCount(jfrSummary, EventNames.REGION);
    long tasksCompleted = 0;
    long tasksCounted = 0;
    for (Object type : Json.array(summary.get("tasks"))) {
      tasksCompleted += Json.number(Json.object(type).get("completed"));
      tasksCounted += Json.number(Json.object(type).get("count"));
    }
    long regionsCounted = 0;
    for (Object type : Json.array(summary.get("regions"))) {
      regionsCounted += Json.number(Json.object(type).get("count"));
    }
    assertEquals(ends, tasksCompleted, "completed tasks, as jfr summary counts TaskEnd events");
    assertEquals(ends, tasksCounted, "every task of this workload began and ended in the trace");
    assertEquals(regions, regionsCounted);
    assertTrue(ends > 100_000 && ends <= TASKS, "ends " + ends + " of " + TASKS);
  }

  @Test
  void taskStateIsKeptOnlyForTasksThatCanStillReceiveEvents() throws Exception {
    TraceFile trace = TraceFile.open(file);
    TaskSearch search = new TaskSearch(trace, new TaskSearch.Filter(null, 0, Long.MAX_VALUE, "request 4", 5));
    TraceReader.decode(trace, search);
    List<TaskSearch.Match> matches = search.finish();
    assertEquals(5, matches.size());
    assertTrue(search.tasksSeen() > 100_000, "tasks seen: " + search.tasksSeen());
    // Tasks run one at a time here; what is held is the ended tasks of the chunk being read, and
    // of the one before until the reader is some milliseconds into the next. A chunk holds at
    // most about a part of the workload: parts end in a chunk of their own, and JFR cuts a chunk
    // at 12 MB, about 120,000 of these tasks.
    long tasksPerPart = TASKS / PARTS;
    String peak = "peak " + search.peakTasksHeld() + ", tasks per part " + tasksPerPart
        + ", chunks " + trace.chunks().size() + ", tasks " + search.tasksSeen();
    assertTrue(search.peakTasksHeld() <= 3 * tasksPerPart, peak);
    assertTrue(trace.chunks().size() >= PARTS, peak);
    assertTrue(search.peakTasksHeld() < search.tasksSeen() / 2, peak);
  }

  private static long jfrCount(String jfrSummary, String eventType) {
    Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(eventType) + "\\s+(\\d+)\\s").matcher(jfrSummary);
    assertTrue(m.find(), () -> eventType + " in\n" + jfrSummary);
    return Long.parseLong(m.group(1));
  }
}
