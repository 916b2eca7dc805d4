package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that hold several traces: downloads concatenated later one first ({@code cat b.jfr a.jfr}),
 * and a trace of this JDK with one of another (17 and 25). File order is not time order, and each
 * chunk is read with its own metadata.
 */
class MergedFilesTest {
  private static final int TASKS = 3;

  @TempDir static Path dir;
  private static byte[] earlier;
  private static byte[] later;
  private static Path laterFirst;

  @BeforeAll
  static void record() throws Exception {
    earlier = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), () -> orders("a"));
    later = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), () -> orders("b"));
    laterFirst = Files.write(dir.resolve("ba.jfr"), Recordings.concatenate(later, earlier));
  }

  @SuppressWarnings("try") // scopes are closed, not used
  private static void orders(String type) {
    for (int i = 0; i < TASKS; i++) {
      Task task = Trace.newTask(type);
      try (Task.Scope scope = task.makeCurrent()) {
        Trace.withRegion("brew", () -> work(20));
      } finally {
        task.end();
      }
    }
  }

  @Test
  void summarySpansFromTheEarliestChunkToTheLatestWhateverTheFileOrder() {
    Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", laterFirst.toString()).ok().out()));
    List<ChunkHeader> a = TraceFiles.chunks(earlier);
    List<ChunkHeader> b = TraceFiles.chunks(later);
    assertEquals(instant(a.get(0).startNanos()), summary.get("start"));
    assertEquals(instant(b.get(b.size() - 1).endNanos()), summary.get("end"));
    assertEquals(TraceFiles.events(earlier).size() + TraceFiles.events(later).size(), Json.number(summary.get("events")));
    for (String type : List.of("a", "b")) {
      Map<String, Object> row = row(summary, type);
      assertEquals(TASKS, Json.number(row.get("count")), type);
      assertEquals(TASKS, Json.number(row.get("completed")), type);
    }
  }

  @Test
  void aFileNamedTwiceOrACopyOfPartOfAnotherIsReadOnce() throws Exception {
    byte[] trace = Recordings.recordChunks(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), 3, () -> orders("c"));
    List<ChunkHeader> chunks = TraceFiles.chunks(trace);
    Path c = Files.write(dir.resolve("c.jfr"), trace);
    String once = Cli.run("summary", "--format", "json", c.toString()).ok().out();
    Cli.Run twice = Cli.run("summary", "--format", "json", c.toString(), c.toString()).succeeded();
    assertEquals(once, twice.out(), "the second naming counts nothing");
    assertTrue(twice.err().contains("passed over, every chunk of it is in"), twice.err());

    // A repaired download beside the whole one, in a directory: its chunks are the first of it.
    Path pulled = Files.createDirectories(dir.resolve("pulled"));
    Files.write(pulled.resolve("c.jfr"), trace);
    long firstTwo = chunks.get(0).chunkSize() + chunks.get(1).chunkSize();
    Files.write(pulled.resolve("c-repaired.jfr"), Arrays.copyOf(trace, (int) firstTwo)); // sorts first
    Cli.Run both = Cli.run("summary", "--format", "json", pulled.toString()).succeeded();
    Map<String, Object> whole = Json.object(Json.parse(once));
    Map<String, Object> fromBoth = Json.object(Json.parse(both.out()));
    whole.remove("file"); // the file's name, or the directory's
    fromBoth.remove("file");
    assertEquals(whole, fromBoth);
    assertTrue(both.err().contains("c-repaired.jfr: passed over"), both.err());

    // Files that share some chunks only (overlapping snapshots) are both read, and said to count them twice.
    Path tail = Files.write(dir.resolve("c-tail.jfr"), Arrays.copyOfRange(trace, (int) chunks.get(0).chunkSize(), trace.length));
    Path head = Files.write(dir.resolve("c-head.jfr"), Arrays.copyOf(trace, (int) firstTwo));
    Cli.Run overlapping = Cli.run("summary", head.toString(), tail.toString()).succeeded();
    assertTrue(overlapping.err().contains("share 1 chunk: what is in them counts twice"), overlapping.err());

    // A file joined to itself (cat c.jfr c.jfr) is read whole, and said to hold its chunks twice.
    Path doubled = Files.write(dir.resolve("cc.jfr"), Recordings.concatenate(trace, trace));
    Cli.Run self = Cli.run("summary", doubled.toString()).succeeded();
    assertTrue(self.err().contains("cc.jfr: " + chunks.size() + " of its " + 2 * chunks.size()
        + " chunks repeat chunks earlier in it: what is in them counts twice"), self.err());
    assertFalse(Cli.run("summary", c.toString()).succeeded().err().contains("repeat"), "a file of distinct chunks");
  }

  @Test
  void tasksOfTheEarlierTraceBeganInsideTheMergedOne() {
    String out = Cli.run("tasks", laterFirst.toString(), "--type", "a").ok().out();
    List<String> began = out.lines().filter(l -> l.strip().startsWith("began")).collect(Collectors.toList());
    assertEquals(TASKS, began.size(), out);
    assertTrue(began.stream().allMatch(l -> l.contains("into the trace")), out);
    assertFalse(out.contains("before the trace"), out);
  }

  @Test
  void exportPlacesBothTracesOnOneTimelineFromTheEarliestChunk(@TempDir Path out) throws Exception {
    List<Map<String, Object>> events = Exports.export(laterFirst, out.resolve("ba.json"));
    long lastOfA = Long.MIN_VALUE;
    long firstOfB = Long.MAX_VALUE;
    for (Map<String, Object> begin : Exports.with(events, "ph", "b")) {
      String id = (String) begin.get("id");
      Map<String, Object> end = Exports.with(Exports.with(events, "ph", "e"), "id", id).get(0);
      long from = Json.micros(begin.get("ts"));
      long to = Json.micros(end.get("ts"));
      assertTrue(to - from >= 20_000_000L, () -> "task " + id + " lasts its 20 ms region at least: " + begin + end);
      if ("a".equals(begin.get("name"))) {
        lastOfA = Math.max(lastOfA, to);
      } else {
        firstOfB = Math.min(firstOfB, from);
      }
    }
    assertEquals(2 * TASKS, Exports.with(events, "ph", "b").size());
    assertTrue(lastOfA < firstOfB, "the earlier trace's tasks come first on the timeline");
    long firstChunkOfA = TraceFiles.chunks(earlier).get(0).startNanos();
    Map<String, Object> firstBrew = Exports.with(events, "name", "brew").stream()
        .min((x, y) -> Long.compare(Json.micros(x.get("ts")), Json.micros(y.get("ts")))).orElseThrow();
    assertTrue(Json.micros(firstBrew.get("ts")) > 0, "the origin is the earlier trace's first chunk, "
        + instant(firstChunkOfA) + ": " + firstBrew);
  }

  @Test
  void tracesOfTwoJdksInOneFileReadWithEveryCommand(@TempDir Path work) throws Exception {
    byte[] other = Recordings.recordOnOtherJdk(work, "other-jdk");
    byte[] mine = Recordings.record(TraceOptions.defaults(), () -> orders("this-jdk"));
    for (List<byte[]> order : List.of(List.of(mine, other), List.of(other, mine))) {
      byte[] bytes = Recordings.concatenate(order.get(0), order.get(1));
      Path mixed = Files.write(work.resolve("mixed.jfr"), bytes);
      Map<String, Object> summary = Json.object(Json.parse(Cli.run("summary", "--format", "json", mixed.toString()).ok().out()));
      assertEquals(OtherJdkRecording.TASKS, Json.number(row(summary, "other-jdk").get("completed")));
      assertEquals(TASKS, Json.number(row(summary, "this-jdk").get("completed")));

      String tasks = Cli.run("tasks", mixed.toString(), "--type", "other-jdk").ok().out();
      assertEquals(OtherJdkRecording.TASKS, Pattern.compile("(?m)^task \\d+ ").matcher(tasks).results().count(), tasks);
      Matcher log = Pattern.compile("log jdk: (\\S+)").matcher(tasks);
      assertTrue(log.find(), tasks);
      assertEquals(Recordings.otherJdk().toString().contains("25") ? 25 : 17, Runtime.Version.parse(log.group(1)).feature(),
          "the part recorded by the other JDK");

      List<Map<String, Object>> events = Exports.export(mixed, work.resolve("mixed.json"));
      List<Object> types = Exports.with(events, "ph", "b").stream().map(e -> e.get("name")).distinct().sorted().toList();
      assertEquals(List.of("other-jdk", "this-jdk"), types);
      assertEquals(OtherJdkRecording.TASKS + TASKS, Exports.with(events, "name", "brew").size());

      Path copy = work.resolve("copy.jfr");
      String repair = Cli.run("repair", mixed.toString(), "-o", copy.toString()).ok().out();
      assertTrue(repair.contains("nothing dropped"), repair);
      assertArrayEquals(bytes, Files.readAllBytes(copy));
    }
  }

  private static Map<String, Object> row(Map<String, Object> summary, String type) {
    return Json.array(summary.get("tasks")).stream().map(Json::object).filter(t -> type.equals(t.get("type")))
        .findFirst().orElseThrow(() -> new AssertionError("no row " + type + " in " + summary.get("tasks")));
  }

  private static String instant(long nanos) {
    return Instant.ofEpochSecond(0, nanos).toString();
  }
}
