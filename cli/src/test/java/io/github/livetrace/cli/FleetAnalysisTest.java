package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merged analysis of a fleet (issue 15): three JVMs that number their tasks alike, read as a
 * directory, a list of files and one concatenated file, keep their tasks apart; the slow one stands
 * out in summary, tasks names each task's JVM, and export makes a process per JVM on one timeline.
 */
class FleetAnalysisTest {
  private static final long SLOW_MILLIS = 100;

  @TempDir static Path pods;
  private static List<Path> files;

  @BeforeAll
  static void recordThreePods() throws Exception {
    // Pods whose tasks sleep 2, 2 and 100 ms: the slow pod's tasks stay the slowest, and it stands
    // out, unless a fast pod's tasks are delayed by 50 to 100 ms. With 40 ms, the tests failed once
    // at load 9 to 13, where one late task of 200 is enough.
    files = FleetRecording.record(pods, 2, 2, SLOW_MILLIS);
  }

  @SuppressWarnings("unchecked")
  private static void assertFleet(Map<String, Object> summary) {
    List<Object> jvms = Json.array(summary.get("jvms"));
    assertEquals(3, jvms.size(), summary.toString());
    Map<String, Object> order = Json.object(Json.array(summary.get("tasks")).get(0));
    assertEquals("order", order.get("type"));
    assertEquals(3L * FleetRecording.TASKS, Json.number(order.get("count")), "no task of one JVM met another's");
    assertEquals(3L * FleetRecording.TASKS, Json.number(order.get("completed")));
    Map<String, Object> byJvm = Json.object(Json.array(summary.get("tasksByJvm")).get(0));
    List<Object> rows = Json.array(byJvm.get("jvms"));
    assertEquals(3, rows.size());
    int standingOut = 0;
    for (Object r : rows) {
      Map<String, Object> row = Json.object(r);
      assertEquals(FleetRecording.TASKS, Json.number(row.get("count")), row.toString());
      if ((Boolean) row.get("standsOut")) {
        standingOut++;
        assertTrue(Json.number(row.get("p50Nanos")) >= SLOW_MILLIS * 1_000_000L, "the slow pod: " + row);
      } else {
        assertTrue(Json.number(row.get("p50Nanos")) < SLOW_MILLIS * 1_000_000L, row.toString());
      }
    }
    assertEquals(1, standingOut, byJvm.toString());
  }

  @Test
  void aDirectoryOfPodsIsOneTraceKeyedByJvm() {
    Cli.Run run = Cli.run("summary", "--format", "json", pods.toString()).ok();
    assertFleet(Json.object(Json.parse(run.out())));
  }

  @Test
  void severalFilesAndOneConcatenatedFileReadTheSame() throws Exception {
    assertFleet(Json.object(Json.parse(Cli.run("summary", "--format", "json", files.get(0).toString(), files.get(1).toString(), files.get(2).toString()).ok().out())));
    Path merged = pods.getParent().resolve("fleet-merged-" + ProcessHandle.current().pid() + ".jfr");
    try {
      Files.write(merged, Recordings.concatenate(Files.readAllBytes(files.get(0)), Files.readAllBytes(files.get(1)), Files.readAllBytes(files.get(2))));
      assertFleet(Json.object(Json.parse(Cli.run("summary", "--format", "json", merged.toString()).ok().out())));
    } finally {
      Files.deleteIfExists(merged);
    }
  }

  @Test
  void theTextNamesEachJvmAndTheOneThatStandsOut() {
    String text = Cli.run("summary", pods.toString()).ok().out();
    assertTrue(text.contains("jvms     3: "), text);
    assertTrue(text.contains("TASK TYPE BY JVM"), text);
    assertEquals(1, text.lines().filter(l -> l.contains("stands out: p")).count(), text);
    assertFalse(text.contains("no livetrace.JVM event"), text);
  }

  @Test
  void tasksShowsEachTasksJvmWithTheJvmsOwnIds() throws Exception {
    String out = Cli.run("tasks", "--type", "order", "--limit", "3", pods.toString()).ok().out();
    assertTrue(out.startsWith("300 of 300 tasks match in 3 files"), out);
    List<String> jvms = out.lines().filter(l -> l.startsWith("  jvm ")).toList();
    assertEquals(3, jvms.size(), "a JVM line per task: " + out);
    // The slowest task's JVM, as the files themselves say: its JVM names its pid (one host here).
    long slowestPid = 0;
    long slowest = -1;
    for (Path f : files) {
      byte[] trace = Files.readAllBytes(f);
      long max = io.github.livetrace.testing.TraceFiles.events(trace, "livetrace.TaskEnd").stream()
          .mapToLong(e -> e.getLong("taskDuration")).max().orElse(0);
      if (max > slowest) {
        slowest = max;
        slowestPid = io.github.livetrace.testing.TraceFiles.events(trace, "livetrace.JVM").get(0).getLong("pid");
      }
    }
    assertTrue(jvms.get(0).endsWith("#" + slowestPid), "the slowest task is the JVM's with pid " + slowestPid + ": " + out);
    List<Long> ids = out.lines().filter(l -> l.startsWith("task ")).map(l -> Long.parseLong(l.split("\\s+")[1])).toList();
    assertTrue(ids.stream().allMatch(id -> id >= 1 && id <= 1000), "the JVM's own ids, not keys: " + ids);
  }

  @Test
  void exportMakesAProcessPerJvmOnOneWallClockTimeline() throws Exception {
    Path json = pods.getParent().resolve("fleet-export-" + ProcessHandle.current().pid() + ".json");
    try {
      List<Map<String, Object>> events = Exports.export(pods, json); // slices nest on each (pid, tid)
      Map<Long, String> processes = new java.util.TreeMap<>();
      events.stream().filter(e -> "process_name".equals(e.get("name")))
          .forEach(e -> processes.put(Json.number(e.get("pid")), (String) Json.object(e.get("args")).get("name")));
      assertEquals(3, processes.size(), processes.toString());
      Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", pods.toString()).ok().out()));
      long origin = java.time.Instant.parse((String) summary.get("start")).toEpochMilli();
      for (Map.Entry<Long, String> p : processes.entrySet()) {
        List<Map<String, Object>> begins = events.stream()
            .filter(e -> "b".equals(e.get("ph")) && Json.number(e.get("pid")) == p.getKey()).toList();
        assertEquals(FleetRecording.TASKS, begins.size(), p.getValue());
        // The process's first task begin, on the shared timeline, is where its own file says it was.
        double firstMicros = begins.stream().mapToDouble(e -> ((Number) e.get("ts")).doubleValue()).min().orElseThrow();
        Path file = null;
        for (Path f : files) {
          long pid = io.github.livetrace.testing.TraceFiles.events(Files.readAllBytes(f), "livetrace.JVM").get(0).getLong("pid");
          if (p.getValue().endsWith("#" + pid)) {
            file = f;
          }
        }
        assertTrue(file != null, "no file for " + p.getValue() + " (the JVMs share a host here, so their names carry the pid)");
        // A task's end holds its begin: taskDuration before it.
        long firstBegin = io.github.livetrace.testing.TraceFiles.events(Files.readAllBytes(file), "livetrace.TaskEnd").stream()
            .mapToLong(e -> e.getStartTime().minus(e.getDuration("taskDuration")).toEpochMilli()).min().orElseThrow();
        assertEquals(firstBegin - origin, firstMicros / 1000, 2.0, p.getValue());
      }
    } finally {
      Files.deleteIfExists(json);
    }
  }
}
