package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.ChromeTraceExport;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.JsonOutput;
import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.cli.internal.WindowExport;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import tools.jackson.core.JsonGenerator;

/**
 * A timeline window, as {@code export --from --to} and {@code view} write it ({@link
 * WindowExport}), reads the chunks around it only, and writes what a read of the whole file writes
 * for it: on a real trace of many chunks, a window in the middle, with tasks across both its edges
 * that begin on one thread and end on another, is written line for line as the whole file's read
 * writes it, but for what its JSON says it leaves out: slices that ended after the chunks read,
 * and the end of a task still open then, drawn to the window's end. A trace of livetrace 0.1,
 * whose chunks list no open tasks, is read whole.
 */
class WindowChunksTest {
  private static final ExecutorService POOL =
      Task.propagating(Executors.newSingleThreadExecutor(r -> new Thread(r, "helper")));

  private static Path file;
  private static Fleet fleet;
  private static List<ChunkHeader> byTime; // the file's chunks in time order
  private static long origin;
  private static long sessionId;
  private static final List<long[]> orders = new ArrayList<>(); // {id, begin, end}, ns since the epoch

  @BeforeAll
  static void record() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), () -> {
      // Open across every window but the last: ended well after the middle chunks. Orders until
      // 12 chunks are written (60 s at most), not for a time: a busy machine writes fewer a second.
      Task session = Trace.newTask("session");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int i = 0; Recordings.chunksWritten() < 12 && System.nanoTime() < deadline; i++) {
        order(i);
      }
      session.end();
      sessionId = session.id();
    });
    file = TraceFiles.write(trace);
    fleet = Fleet.open(List.of(file), note -> {});
    byTime = fleet.parts().get(0).file().chunks().stream().sorted(Comparator.comparingLong(ChunkHeader::startNanos)).toList();
    origin = byTime.get(0).startNanos();
    for (RecordedEvent end : Recordings.where(TraceFiles.events(trace, EventNames.TASK_END), "taskType", "order")) {
      long at = Timestamps.nanos(end.getEndTime());
      orders.add(new long[] {end.getLong("taskId"), at - end.getDuration("taskDuration").toNanos(), at});
    }
    assertTrue(byTime.size() >= 8, "a trace of many chunks: " + byTime.size());
  }

  /** A task begun on this thread, with a region here and one on the helper, which ends it. */
  @SuppressWarnings("try") // the scope is closed, not used
  private static void order(int i) throws Exception {
    Task order = Trace.newTask("order");
    try (Task.Scope scope = order.makeCurrent()) {
      Trace.withRegion("take", () -> work(3 + i % 5));
      POOL.submit(() -> {
        Trace.withRegion("brew", () -> work(8 + i % 9));
        order.end();
      }).get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  /** An order that begins and ends within the chunk; null when none does (a chunk cut short). */
  private static long[] orderWithin(ChunkHeader chunk) {
    return orders.stream().filter(o -> o[1] > chunk.startNanos() && o[2] < chunk.endNanos()).findFirst().orElse(null);
  }

  /**
   * The chunk nearest the middle, with one before it and two after, such that it and the next each
   * hold an order whole.
   */
  private static int middleChunk() {
    int middle = byTime.size() / 2;
    for (int d = 0; d < byTime.size(); d++) {
      for (int k : new int[] {middle - d, middle + d}) {
        if (k >= 1 && k + 2 < byTime.size() && orderWithin(byTime.get(k)) != null && orderWithin(byTime.get(k + 1)) != null) {
          return k;
        }
      }
    }
    throw new AssertionError("no two chunks in a row that hold an order each");
  }

  @Test
  void aWindowInTheMiddleReadsItsChunksAndWritesWhatTheWholeFileWrites() throws Exception {
    int k = middleChunk();
    // From the middle of an order to the middle of one in the next chunk: orders cross both edges.
    long[] acrossFrom = orderWithin(byTime.get(k));
    long[] acrossTo = orderWithin(byTime.get(k + 1));
    long from = (acrossFrom[1] + acrossFrom[2]) / 2;
    long to = (acrossTo[1] + acrossTo[2]) / 2;
    ChromeTraceExport.Selection window = new ChromeTraceExport.Selection(from, to, null, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChromeTraceExport.Counts counts = WindowExport.write(fleet, window, out);
    // The chunk before (its task events), the two the window overlaps, and the one after.
    assertEquals(4, counts.chunksRead, "chunks read of " + byTime.size());
    long readUpTo = byTime.get(k + 2).endNanos();

    List<Map<String, Object>> read = events(out.toByteArray());
    List<Map<String, Object>> whole = events(wholeFileRead(window));
    // Only the session outlasts the chunks read: drawn to the window's end, said so.
    Set<Object> cut = read.stream().filter(e -> "e".equals(e.get("ph")) && args(e).containsKey("endsAfterWindow"))
        .map(e -> e.get("id")).collect(Collectors.toSet());
    assertEquals(Set.of(String.valueOf(sessionId)), cut);
    assertEquals(to - origin, Json.micros(task(read, sessionId, "e").get("ts")));
    assertTrue(Json.micros(task(whole, sessionId, "e").get("ts")) > readUpTo - origin, "the whole file's read finds its end");
    long readBegin = Json.micros(task(read, sessionId, "b").get("ts"));
    long wholeBegin = Json.micros(task(whole, sessionId, "b").get("ts"));
    assertTrue(readBegin < from - origin && wholeBegin < from - origin);
    // The window's read knows the begin from the chunk before's OpenTask, the whole file's from the
    // TaskEnd: two measures of one instant, which OpenTasksTest holds within 1 ms.
    assertTrue(Math.abs(readBegin - wholeBegin) < 1_000_000, readBegin + " vs " + wholeBegin);
    assertTrue(new String(out.toByteArray(), StandardCharsets.UTF_8).contains("\"readUpTo\""), "the JSON says where the reading stopped");

    // What the window's read leaves out of the whole file's, as its JSON says: the session's slice,
    // and slices (JVM threads waiting, say) that began before the window's end and ended after the
    // chunks read; and the names of tracks that only those were on.
    List<Map<String, Object>> expected = new ArrayList<>();
    for (Map<String, Object> e : whole) {
      if (cut.contains(e.get("id")) && "task".equals(e.get("cat"))) {
        continue;
      }
      if ("X".equals(e.get("ph")) && Json.micros(e.get("ts")) + Json.micros(e.get("dur")) > readUpTo - origin) {
        assertTrue(Json.micros(e.get("ts")) <= to - origin, e::toString);
        continue;
      }
      expected.add(e);
    }
    Set<Object> tracks = new HashSet<>();
    read.stream().filter(e -> !"M".equals(e.get("ph"))).forEach(e -> tracks.add(e.get("tid")));
    expected.removeIf(e -> "thread_name".equals(e.get("name")) && !tracks.contains(e.get("tid")));
    List<Map<String, Object>> actual = new ArrayList<>(read);
    actual.removeIf(e -> cut.contains(e.get("id")) && "task".equals(e.get("cat")));
    assertSameLines(expected, actual);

    // The window is the one meant: orders across both of its edges, begun on this thread and ended on the helper.
    long[] edges = {from - origin, to - origin};
    for (long[] across : List.of(acrossFrom, acrossTo)) {
      Map<String, Object> begin = task(read, across[0], "b");
      Map<String, Object> end = task(read, across[0], "e");
      long b = Json.micros(begin.get("ts"));
      long e = Json.micros(end.get("ts"));
      long edge = across == acrossFrom ? edges[0] : edges[1];
      assertTrue(b < edge && e > edge, () -> b + " to " + e + " across " + edge);
      assertNotEquals(begin.get("tid"), end.get("tid"), "begun on one thread, ended on another");
    }
    assertFalse(Exports.with(read, "ph", "s").isEmpty(), "flows follow the orders across threads");
  }

  @Test
  void theFirstWindowHasNoChunkBeforeAndTheLastNoneAfter() throws Exception {
    ChunkHeader first = byTime.get(0);
    ChromeTraceExport.Counts counts = WindowExport.write(fleet,
        new ChromeTraceExport.Selection(first.startNanos(), first.startNanos() + 1, null, null), new ByteArrayOutputStream());
    assertEquals(2, counts.chunksRead, "the first chunk and the one after");
    ChunkHeader last = byTime.get(byTime.size() - 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    counts = WindowExport.write(fleet, new ChromeTraceExport.Selection(last.endNanos() - 1, last.endNanos(), null, null), out);
    assertEquals(2, counts.chunksRead, "the last chunk and the task events of the one before");
    assertFalse(new String(out.toByteArray(), StandardCharsets.UTF_8).contains("readUpTo"), "the reading went to the end");
    assertEquals(0, counts.endsAfterWindow);
  }

  @Test
  void aTraceOfLivetrace01WithoutOpenTasksIsReadWhole(@TempDir Path dir) throws Exception {
    Path old = dir.resolve("livetrace-0.1.jfr");
    try (InputStream in = Livetrace01TraceTest.class.getResourceAsStream("livetrace-0.1.jfr")) {
      Files.copy(in, old);
    }
    Fleet oldFleet = Fleet.open(List.of(old), note -> {});
    TraceFile oldFile = oldFleet.parts().get(0).file();
    List<ChunkHeader> chunks = oldFile.chunks().stream().sorted(Comparator.comparingLong(ChunkHeader::startNanos)).toList();
    assertEquals(3, chunks.size());
    ChunkHeader middle = chunks.get(1);
    ChromeTraceExport.Selection window = new ChromeTraceExport.Selection(middle.startNanos() + 1, middle.endNanos() - 1, null, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChromeTraceExport.Counts counts = WindowExport.write(oldFleet, window, out);
    assertEquals(3, counts.chunksRead, "every chunk");
    assertEquals(new String(wholeFileRead(oldFile, window), StandardCharsets.UTF_8), new String(out.toByteArray(), StandardCharsets.UTF_8));
    // The task never ended is open across the window, and unfinished at the end of the trace.
    List<Map<String, Object>> events = events(out.toByteArray());
    Map<String, Object> leak = Exports.with(Exports.with(events, "ph", "b"), "name", "leak").get(0);
    assertEquals(Boolean.TRUE, args(task(events, Json.number(args(leak).get("taskId")), "e")).get("unfinished"));
  }

  /** What a read of every chunk of the test's trace writes for the window, as export did before windows read chunks. */
  private static byte[] wholeFileRead(ChromeTraceExport.Selection window) throws Exception {
    return wholeFileRead(fleet.parts().get(0).file(), window);
  }

  private static byte[] wholeFileRead(TraceFile traceFile, ChromeTraceExport.Selection window) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JsonOutput.eventPerLine(out)) {
      ChromeTraceExport export = new ChromeTraceExport(json, traceFile, window);
      TraceReader.decode(traceFile, export);
      export.finish();
    }
    return out.toByteArray();
  }

  /** The trace events, each with the line it was written on (key {@code "line"}), in order. */
  private static List<Map<String, Object>> events(byte[] json) {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String line : new String(json, StandardCharsets.UTF_8).split("\n")) {
      String event = line.strip();
      if (event.startsWith("{\"ph\"")) {
        event = event.endsWith(",") ? event.substring(0, event.length() - 1) : event;
        Map<String, Object> parsed = new HashMap<>(Json.object(Json.parse(event)));
        parsed.put("line", event);
        events.add(parsed);
      }
    }
    return events;
  }

  private static Map<String, Object> args(Map<String, Object> event) {
    return event.containsKey("args") ? Json.object(event.get("args")) : Map.of();
  }

  /** The {@code "b"} or {@code "e"} event of the task. */
  private static Map<String, Object> task(List<Map<String, Object>> events, long id, String phase) {
    List<Map<String, Object>> found = events.stream()
        .filter(e -> phase.equals(e.get("ph")) && String.valueOf(id).equals(e.get("id"))).toList();
    assertEquals(1, found.size(), () -> phase + " of task " + id + ": " + found);
    return found.get(0);
  }

  /** Fails at the first line that differs, showing it. */
  private static void assertSameLines(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).get("line").equals(actual.get(i).get("line"))) {
        fail("line " + i + " differs:\n  whole file: " + expected.get(i).get("line") + "\n  window:     " + actual.get(i).get("line"));
      }
    }
    assertEquals(expected.size(), actual.size(), "events");
  }
}
