package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.InstanceLists;
import io.github.livetrace.cli.internal.RegionSearch;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.testing.TraceFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lists that {@code view} answers from one pass ({@link InstanceLists}) are the ones a search of
 * the whole trace gives ({@link TaskSearch}, {@link RegionSearch}), for every bucket of every type's
 * histogram, for several buckets at once and for a whole type, per JVM and for all: same count,
 * same instances, same order. The fleet is two JVMs (this one and a child's); this JVM's trace has
 * many chunks, a task that ends on another thread than its own, and one still open at the end.
 */
class InstanceListsTest {
  private static final int PER_DECADE = 4; // the view's histogram
  private static final ExecutorService POOL =
      Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "helper")));

  @TempDir static Path dir;
  private static Fleet fleet;
  private static TraceSummary summary;
  private static Task open;

  @BeforeAll
  static void record() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), () -> {
      open = Trace.newTask("order"); // unfinished: measured to the end of the trace
      for (int i = 0; i < 300; i++) {
        long grind = i % 7;
        Task order = Trace.newTask(i % 3 == 0 ? "order" : "refill");
        Future<?> handOff;
        try (Task.Scope s = order.makeCurrent()) {
          Trace.withRegion("grind", () -> work(grind));
          handOff = POOL.submit(() -> Trace.withRegion("brew", () -> work(1)));
        }
        handOff.get(30, TimeUnit.SECONDS);
        POOL.submit(order::end).get(30, TimeUnit.SECONDS); // ended on another thread than its own
      }
    });
    open.end(); // an open task is open in every later trace of this JVM
    Path local = dir.resolve("local.jfr");
    Files.write(local, trace);
    List<Path> files = new ArrayList<>(FleetRecording.record(dir, 3));
    files.add(local);
    fleet = Fleet.open(files, note -> {});
    summary = TraceSummary.of(fleet);
    assertTrue(TraceFiles.chunks(trace).size() > 3, "chunks: " + TraceFiles.chunks(trace).size());
  }

  @AfterAll
  static void stop() {
    POOL.shutdownNow();
  }

  @Test
  void everyBucketListsWhatASearchOfTheWholeTraceFinds() throws Exception {
    for (int limit : new int[] {100, 3}) { // 3: most buckets hold more than are listed
      InstanceLists lists = InstanceLists.of(fleet, PER_DECADE, limit);
      int compared = 0;
      for (TraceSummary.TypeStats type : summary.tasks()) {
        for (long[] range : ranges(type)) {
          for (int jvm = -1; jvm < fleet.jvms().size(); jvm++) {
            InstanceLists.Answer<TaskSearch.Match> answer = lists.tasks(type.type(), jvm, range[0], range[1]);
            assertNotNull(answer, () -> type.type() + " " + range[0] + ".." + range[1]);
            TaskSearch search = TaskSearch.of(fleet, new TaskSearch.Filter(type.type(), range[0], range[1], null, limit).withJvm(jvm));
            List<TaskSearch.Match> expected = search.finish();
            String where = type.type() + " " + range[0] + ".." + range[1] + " jvm " + jvm + " limit " + limit;
            assertEquals(search.matches(), answer.matches(), where);
            assertEquals(expected, answer.slowest(), where);
            compared++;
          }
        }
      }
      for (TraceSummary.TypeStats type : summary.regions()) {
        for (long[] range : ranges(type)) {
          for (int jvm = -1; jvm < fleet.jvms().size(); jvm++) {
            InstanceLists.Answer<RegionSearch.Match> answer = lists.regions(type.type(), jvm, range[0], range[1]);
            RegionSearch search = RegionSearch.of(fleet, type.type(), range[0], range[1], jvm, limit);
            String where = type.type() + " " + range[0] + ".." + range[1] + " jvm " + jvm + " limit " + limit;
            assertEquals(search.matches(), answer.matches(), where);
            assertEquals(search.slowest(), answer.slowest(), where);
            compared++;
          }
        }
      }
      assertTrue(compared > 50, "lists compared: " + compared);
    }
  }

  @Test
  void theUnfinishedTaskIsListedAsTheSearchMeasuresIt() throws Exception {
    InstanceLists.Answer<TaskSearch.Match> all = InstanceLists.of(fleet, PER_DECADE, 100).tasks("order", -1, 0, Long.MAX_VALUE);
    assertEquals(1, all.slowest().stream().filter(m -> !m.ended()).count(), () -> "unfinished: " + all.slowest());
  }

  @Test
  void aRangeThatCutsABucketIsLeftToTheSearch() throws Exception {
    InstanceLists lists = InstanceLists.of(fleet, PER_DECADE, 100);
    assertNull(lists.tasks("order", -1, 1_000_001, Long.MAX_VALUE));
    assertNull(lists.tasks("order", -1, 0, 2_000_000));
    assertNotNull(lists.tasks("order", -1, 1_000_000, 1_778_278)); // 10^6 to 10^6.25, whole
  }

  @Test
  void aTraceWithTaskBeginEventsIsLeftToTheSearchForTasks() throws Exception {
    Path old = dir.resolve("livetrace-0.1.jfr");
    try (InputStream in = Livetrace01TraceTest.class.getResourceAsStream("livetrace-0.1.jfr")) {
      Files.copy(in, old);
    }
    Fleet oldFleet = Fleet.open(List.of(old), note -> {});
    InstanceLists lists = InstanceLists.of(oldFleet, PER_DECADE, 100);
    TraceSummary oldSummary = TraceSummary.of(oldFleet);
    String task = oldSummary.tasks().get(0).type();
    assertNull(lists.tasks(task, -1, 0, Long.MAX_VALUE), "its begins are events of their own: TaskSearch pairs them");
    String region = oldSummary.regions().get(0).type();
    RegionSearch search = RegionSearch.of(oldFleet, region, 0, Long.MAX_VALUE, -1, 100);
    assertEquals(search.slowest(), lists.regions(region, -1, 0, Long.MAX_VALUE).slowest());
  }

  /** Each bucket of the view's histogram as its link asks for it, two buckets at once, and the whole type. */
  private static List<long[]> ranges(TraceSummary.TypeStats type) {
    List<long[]> ranges = new ArrayList<>();
    List<TraceSummary.Bucket> buckets = type.buckets(PER_DECADE);
    for (int i = 0; i < buckets.size(); i++) {
      TraceSummary.Bucket b = buckets.get(i);
      ranges.add(new long[] {b.fromNanos(), b.toNanos() - 1});
      if (i + 1 < buckets.size()) {
        ranges.add(new long[] {b.fromNanos(), buckets.get(i + 1).toNanos() - 1});
      }
    }
    ranges.add(new long[] {0, Long.MAX_VALUE});
    return ranges;
  }
}
