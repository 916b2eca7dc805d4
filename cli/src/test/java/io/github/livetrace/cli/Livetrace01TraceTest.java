package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace written by livetrace 0.1, which wrote a {@code TaskBegin} for every task and ends
 * without {@code beginThread} or {@code beginEvent}, reads as it did then. The file holds ten
 * orders (each with a receipt task on a pool thread), a task begun before the trace ("early") and
 * one never ended ("leak"), in three chunks; it was written by this program, with the core of
 * commit b25ae25 on the class path:
 *
 * <pre>{@code
 * Task early = Trace.newTask("early");
 * ExecutorService pool = Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "pool")));
 * TraceSession s = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)));
 * Task leak = Trace.newTask("leak");
 * for (int i = 0; i < 10; i++) {
 *   Task order = Trace.newTask("order");
 *   try (Task.Scope sc = order.makeCurrent(); Region r = Trace.startRegion("brew")) {
 *     Thread.sleep(5 + i);
 *     Trace.log("order", "espresso " + i);
 *     pool.submit(() -> { Trace.newTask("receipt").end(); }).get();
 *   } finally {
 *     order.end();
 *   }
 *   if (i == 5) { int c = s.chunksWritten(); while (s.chunksWritten() == c) Thread.sleep(10); }
 * }
 * early.end();
 * Trace.stop();
 * }</pre>
 *
 * What is asserted is what the CLI of that commit printed for the file.
 */
class Livetrace01TraceTest {
  private static Path file(Path dir) throws Exception {
    Path file = dir.resolve("livetrace-0.1.jfr");
    try (InputStream in = Livetrace01TraceTest.class.getResourceAsStream("livetrace-0.1.jfr")) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void summaryCountsEveryTaskOnceAsLivetrace01Did(@TempDir Path dir) throws Exception {
    String out = Cli.run("summary", file(dir).toString()).ok().out();
    Map<String, String> rows = new HashMap<>();
    out.lines().forEach(l -> rows.putIfAbsent(l.split("\\s+")[0], l)); // task types come first
    // type, count, completed, as 0.1 printed them
    assertTrue(rows.get("order").matches("order\\s+10\\s+10\\s+10.6ms\\s+17.8ms\\s+37ms\\s+37ms.*"), out);
    assertTrue(rows.get("receipt").matches("receipt\\s+10\\s+10\\s+.*"), out);
    assertTrue(rows.get("early").matches("early\\s+1\\s+1\\s+1.05s.*"), out);
    assertTrue(rows.get("leak").matches("leak\\s+1\\s+0\\s+-.*"), out);
  }

  @Test
  void tasksShowBeginsAndTheTaskOpenAtTheEndAsLivetrace01Did(@TempDir Path dir) throws Exception {
    String out = Cli.run("tasks", "--limit", "30", file(dir).toString()).ok().out();
    assertTrue(out.startsWith("22 of 22 tasks match"), out);
    List<String> lines = out.lines().toList();
    int early = lines.indexOf("task 1  early  1.05s");
    assertTrue(early >= 0, out);
    assertEquals("  began     533ms before the trace started (its begin event is not in the trace: end minus duration)",
        lines.get(early + 1));
    int leak = lines.indexOf("task 2  leak  442ms (unfinished: still open at the end of the trace)");
    assertTrue(leak >= 0, out);
    assertEquals("  began     +73.1ms into the trace", lines.get(leak + 1));
    int order = lines.indexOf("task 3  order  37ms");
    assertTrue(order >= 0, out);
    assertEquals("  children  1: 4 receipt 2.99ms", lines.get(order + 2));
  }
}
