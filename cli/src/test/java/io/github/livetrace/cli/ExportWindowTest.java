package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --from --to} keeps a time window, {@code export --task} one task and its children. */
class ExportWindowTest {
  private static final ExecutorService POOL =
      Task.propagating(Executors.newSingleThreadExecutor(r -> new Thread(r, "helper")));

  private static Path file;
  private static long origin;
  private static final Map<String, long[]> spans = new HashMap<>(); // task type -> [begin, end]
  private static final Map<String, Long> ids = new HashMap<>();

  @BeforeAll
  static void record() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)), () -> {
      order("early");
      work(100);
      middle();
      work(100);
      order("late");
    });
    file = TraceFiles.write(trace);
    origin = TraceFiles.chunks(trace).stream().mapToLong(c -> c.startNanos()).min().orElseThrow();
    for (RecordedEvent end : TraceFiles.events(trace, EventNames.TASK_END)) {
      String type = end.getString("taskType");
      long id = end.getLong("taskId");
      ids.put(type, id);
      // A task's end holds its begin: taskDuration before it.
      long at = Timestamps.nanos(end.getStartTime()); // the end's time; its JFR duration is a leftover
      spans.put(type, new long[] {at - end.getDuration("taskDuration").toNanos(), Timestamps.nanos(end.getEndTime())});
    }
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
  static void stopPool() throws InterruptedException {
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  @Test
  void fromAndToKeepWhatIntersectsTheWindow(@TempDir Path dir) throws Exception {
    long[] middle = spans.get("middle");
    List<Map<String, Object>> events = Exports.export(file, dir.resolve("window.json"),
        "--from", (middle[0] - origin - 1_000_000) + "ns", "--to", (middle[1] - origin + 1_000_000) + "ns");
    assertEquals(Set.of("middle", "middle child"), names(Exports.with(events, "ph", "b")));
    assertEquals(Set.of("middle work", "middle child work"), names(Exports.with(events, "cat", "region")));
    for (Map<String, Object> slice : Exports.with(events, "ph", "X")) {
      long start = origin + Json.micros(slice.get("ts"));
      long end = start + Json.micros(slice.get("dur"));
      assertTrue(start <= middle[1] + 1_000_000 && end >= middle[0] - 1_000_000, slice::toString);
    }
  }

  @Test
  void aTaskWithItsChildrenAndTheThreadsTheyRanOn(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = Exports.export(file, dir.resolve("task.json"), "--task", ids.get("middle").toString());
    assertEquals(Set.of("middle", "middle child"), names(Exports.with(events, "ph", "b")));
    assertEquals(Set.of("middle work", "middle child work"), names(Exports.with(events, "cat", "region")));
    Set<Object> threads = Exports.threadNames(events).values().stream().map(a -> a.get("name"))
        .filter(name -> !name.equals("GC") && !name.equals("GC pauses")).collect(Collectors.toSet());
    assertEquals(Set.of("helper", Thread.currentThread().getName()), threads, "the tracks of the threads they ran on");
  }

  @Test
  void theWholeTraceWithoutOptions(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = Exports.export(file, dir.resolve("all.json"));
    assertEquals(Set.of("early", "middle", "middle child", "late"), names(Exports.with(events, "ph", "b")));
  }

  private static Set<Object> names(List<Map<String, Object>> events) {
    return events.stream().map(e -> e.get("name")).collect(Collectors.toSet());
  }
}
