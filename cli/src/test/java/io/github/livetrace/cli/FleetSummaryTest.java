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
 * directory, a list of files and one concatenated file, keep their tasks apart, and the slow one
 * stands out.
 */
class FleetSummaryTest {
  @TempDir static Path pods;
  private static List<Path> files;

  @BeforeAll
  static void recordThreePods() throws Exception {
    files = FleetRecording.record(pods, 2, 2, 40);
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
        assertTrue(Json.number(row.get("p50Nanos")) >= 40_000_000L, "the 40 ms pod: " + row);
      } else {
        assertTrue(Json.number(row.get("p50Nanos")) < 40_000_000L, row.toString());
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
}
