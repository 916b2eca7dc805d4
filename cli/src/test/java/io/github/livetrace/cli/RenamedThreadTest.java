package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread renamed during the trace, as pools do: identified by its id, shown with the name it
 * had at each event, its track named after its last name with the earlier ones in metadata.
 */
class RenamedThreadTest {
  private static final String BEFORE = "before the rename";
  private static final String AFTER = "after the rename";

  private static Path file;
  private static long taskId;

  @BeforeAll
  @SuppressWarnings("try") // scopes are closed, not used
  static void record() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
    Task task = Trace.newTask("renamed");
    taskId = task.id();
    // Each phase works until three more chunks are written: the third began inside the phase, so
    // the phase's last region lies in a chunk that names the thread as it was then.
    Thread worker = new Thread(() -> {
      try (Task.Scope scope = task.makeCurrent()) {
        workUntilThreeMoreChunks("work before", session);
        Thread.currentThread().setName(AFTER);
        workUntilThreeMoreChunks("work after", session);
      } finally {
        task.end();
      }
    }, BEFORE);
    try {
      worker.start();
      worker.join(120_000);
      assertFalse(worker.isAlive(), "the worker finished");
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    file = TraceFiles.write(out.toByteArray());
  }

  private static void workUntilThreeMoreChunks(String region, TraceSession session) {
    int until = session.chunksWritten() + 3;
    do {
      Trace.withRegion(region, () -> LockSupport.parkNanos(5_000_000));
    } while (session.chunksWritten() < until);
  }

  @Test
  void summaryNamesTheThreadByItsLastNameAndListsTheEarlierOne() {
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", file.toString()).ok().out()));
    List<Map<String, Object>> renamed = Json.array(summary.get("threads")).stream().map(Json::object)
        .filter(t -> AFTER.equals(t.get("name"))).toList();
    assertEquals(1, renamed.size(), summary.get("threads")::toString);
    assertEquals(List.of(BEFORE), renamed.get(0).get("earlierNames"));
    assertTrue(Json.array(summary.get("threads")).stream().noneMatch(t -> BEFORE.equals(Json.object(t).get("name"))),
        "one thread, not two");
  }

  @Test
  void tasksShowsEachEventWithTheNameOfItsTime() {
    String out = Cli.run("tasks", file.toString(), "--type", "renamed", "--limit", "1").ok().out();
    assertTrue(out.contains("task " + taskId + " "), out);
    assertTrue(line(out, "threads").contains(AFTER + ", formerly " + BEFORE + " ("), out);
    List<String> before = out.lines().filter(l -> l.contains("region work before")).toList();
    List<String> after = out.lines().filter(l -> l.contains("region work after")).toList();
    assertTrue(before.get(0).contains(BEFORE), out);
    assertTrue(after.get(after.size() - 1).contains(AFTER), out);
    assertFalse(out.contains("not shown"), out);
  }

  @Test
  void exportNamesTheTrackAfterTheLastNameWithTheEarlierInItsMetadata(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = Exports.export(file, dir.resolve("out.json"));
    List<Object> tids = Exports.with(events, "cat", "region").stream().map(e -> e.get("tid")).distinct().toList();
    assertEquals(1, tids.size(), "one track for the thread, before and after the rename");
    Map<String, Object> name = Exports.threadNames(events).get(Json.number(tids.get(0)));
    assertEquals(AFTER, name.get("name"));
    assertEquals(List.of(BEFORE), name.get("earlierNames"));
  }

  private static String line(String out, String part) {
    return out.lines().filter(l -> l.contains(part)).findFirst()
        .orElseThrow(() -> new AssertionError("no '" + part + "' in\n" + out));
  }
}
