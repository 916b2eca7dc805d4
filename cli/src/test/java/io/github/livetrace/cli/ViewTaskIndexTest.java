package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TaskIndex;
import io.github.livetrace.cli.internal.TaskKeys;
import io.github.livetrace.cli.internal.TaskLookup;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import io.github.livetrace.testing.TraceFiles;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The task page read through the summary's {@link TaskIndex} shows what a read of every chunk
 * shows: two viewers serve one real trace of many chunks, one with the summary of {@code
 * TraceSummary.of} (indexed), one with a summary made without it (every chunk read), and their
 * pages are compared byte for byte. {@link TaskLookup} counts the chunks it decodes: fewer than
 * the trace has, for a task that does not span the trace.
 */
class ViewTaskIndexTest {
  private static final ExecutorService POOL =
      Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "helper")));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Fleet fleet;
  private static TraceSummary summary;
  private static ViewServer indexed;
  private static ViewServer fullScan;
  private static int chunks;
  private static TraceSummary unindexed;
  private static Task open;

  @BeforeAll
  static void recordAndServe() throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)), () -> {
      open = Trace.newTask("open"); // open at the end of the trace, and in every chunk before; ended after it
      fillers(400);
      Task parent = Trace.newTask("parent"); // spans chunks; a child on another thread outlives it
      Future<?> late;
      try (Task.Scope s = parent.makeCurrent()) {
        Future<?> early = POOL.submit(() -> child(50));
        late = POOL.submit(() -> child(800)); // ends chunks after its parent
        Trace.withRegion("wait", () -> work(350));
        early.get(30, TimeUnit.SECONDS);
      } finally {
        parent.end();
      }
      late.get(30, TimeUnit.SECONDS);
      fillers(600);
    });
    open.end(); // an open task is open in every later trace of this JVM, those of other tests too
    Path file = TraceFiles.write(trace);
    fleet = Fleet.open(List.of(file), note -> {});
    summary = TraceSummary.of(fleet);
    TraceFile traceFile = fleet.parts().get(0).file();
    chunks = traceFile.chunks().size();
    unindexed = new TraceSummary(traceFile.chunks());
    TraceReader.decode(traceFile, unindexed);
    indexed = ViewServer.bind(0);
    indexed.serve(fleet, summary);
    fullScan = ViewServer.bind(0);
    fullScan.serve(fleet, unindexed);
  }

  private static void fillers(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      Task filler = Trace.newTask("filler");
      try (Task.Scope s = filler.makeCurrent()) {
        Trace.withRegion("step", () -> work(5));
      } finally {
        filler.end();
      }
    }
  }

  private static void child(long millis) {
    Task child = Trace.newTask("child");
    try (Task.Scope s = child.makeCurrent()) {
      Trace.withRegion("brew", () -> work(millis));
      Trace.log("helper", "brewed " + millis);
    } finally {
      child.end();
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (indexed != null) {
      indexed.close();
    }
    if (fullScan != null) {
      fullScan.close();
    }
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  private static HttpResponse<String> get(ViewServer server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static TaskSearch.Match only(String type) throws Exception {
    List<TaskSearch.Match> found = TaskSearch.of(fleet, new TaskSearch.Filter(type, 0, Long.MAX_VALUE, null, 10)).finish();
    assertEquals(1, found.size(), type);
    return found.get(0);
  }

  /** The task's page, indexed and not: the same, and 200. */
  private static String samePage(long key) throws Exception {
    String path = "/task/" + TaskKeys.jvm(key) + "/" + TaskKeys.id(key);
    HttpResponse<String> full = get(fullScan, path);
    assertEquals(200, full.statusCode(), full.body());
    assertEquals(full.body(), get(indexed, path).body(), path);
    String flame = "/flame?kind=cpu&task=" + TaskKeys.jvm(key) + "/" + TaskKeys.id(key);
    assertEquals(get(fullScan, flame).body(), get(indexed, flame).body(), flame);
    return full.body();
  }

  /** Chunks the indexed lookup decodes to find the task and its details. */
  private static long chunksRead(long key) throws Exception {
    TaskLookup lookup = new TaskLookup(fleet, summary.taskIndex());
    List<TaskSearch.Match> found = lookup.find(key);
    assertEquals(1, found.size());
    lookup.details(found);
    return lookup.chunksRead();
  }

  @Test
  void theTraceHasManyChunksAndTheIndexCoversThem() {
    assertTrue(chunks >= 8, "chunks: " + chunks);
    assertTrue(summary.taskIndex().covers(0));
    assertFalse(unindexed.taskIndex().covers(0), "only TraceSummary.of makes an index the pages use");
    // Read on several threads and merged, the index is the one a single pass in time order makes.
    for (int c = 0; c < chunks; c++) {
      assertEquals(unindexed.taskIndex().smallest(0, c), summary.taskIndex().smallest(0, c), "chunk " + c);
      assertEquals(unindexed.taskIndex().largest(0, c), summary.taskIndex().largest(0, c), "chunk " + c);
    }
    assertFalse(new TaskLookup(fleet, null).chunksRead() > 0);
  }

  @Test
  void aTaskSpanningChunksWithChildrenOnAnotherThreadShowsWhatAFullReadShows() throws Exception {
    TaskSearch.Match parent = only("parent");
    String page = samePage(parent.taskId());
    List<TaskSearch.Match> children = TaskSearch.of(fleet, new TaskSearch.Filter("child", 0, Long.MAX_VALUE, null, 10)).finish();
    assertEquals(2, children.size());
    for (TaskSearch.Match child : children) {
      assertEquals(parent.taskId(), child.parentId());
      assertTrue(page.contains("href=\"/task/0/" + TaskKeys.id(child.taskId()) + "\""), page);
      String childPage = samePage(child.taskId());
      assertTrue(childPage.contains("<td class=thread>helper</td>"), childPage);
      assertTrue(childPage.contains("id=parent"), childPage);
    }
    // The child that outlived its parent ended chunks later: its end was read, so it has a duration.
    TaskSearch.Match late = children.stream().filter(c -> c.durationNanos() >= 800_000_000L).findFirst().orElseThrow();
    assertTrue(late.beginNanos() + late.durationNanos() > parent.beginNanos() + parent.durationNanos());
    assertFalse(page.contains("(unfinished)"), page);
    assertTrue(page.contains("wait"), page);
    long read = chunksRead(parent.taskId());
    assertTrue(read < chunks, "read " + read + " of " + chunks + " chunks");
  }

  @Test
  void aShortTaskReadsFewChunks() throws Exception {
    List<TaskSearch.Match> fillers = new java.util.ArrayList<>(
        TaskSearch.of(fleet, new TaskSearch.Filter("filler", 0, Long.MAX_VALUE, null, 1_000_000)).finish());
    fillers.sort(java.util.Comparator.comparingLong(TaskSearch.Match::taskId));
    assertTrue(fillers.size() > 10);
    for (TaskSearch.Match filler : List.of(fillers.get(0), fillers.get(fillers.size() / 2), fillers.get(fillers.size() - 1))) {
      samePage(filler.taskId());
      long read = chunksRead(filler.taskId());
      // Its own chunks, the one after, those whose ids meet its own, and the last (which lists the open task).
      assertTrue(read <= chunks / 2, "read " + read + " of " + chunks + " chunks");
    }
  }

  @Test
  void aTaskOpenAtTheEndShowsWhatAFullReadShows() throws Exception {
    TaskSearch.Match open = only("open");
    assertFalse(open.ended());
    String page = samePage(open.taskId());
    assertTrue(page.contains("unfinished: still open at the end of the trace"), page);
    // Found in the last chunk only: its OpenTask events in the others are not in the smallest ids.
    TaskLookup lookup = new TaskLookup(fleet, summary.taskIndex());
    assertEquals(1, lookup.find(open.taskId()).size());
    assertEquals(1, lookup.chunksRead());
  }

  @Test
  void anUnknownTaskIsStillA404() throws Exception {
    long last = TaskSearch.of(fleet, new TaskSearch.Filter(null, 0, Long.MAX_VALUE, null, 1_000_000)).finish().stream()
        .mapToLong(m -> TaskKeys.id(m.taskId())).max().orElseThrow();
    for (long id : new long[] {last + 1, 999_999}) {
      HttpResponse<String> indexedPage = get(indexed, "/task/0/" + id);
      assertEquals(404, indexedPage.statusCode());
      assertEquals(get(fullScan, "/task/0/" + id).body(), indexedPage.body());
      assertTrue(indexedPage.body().contains("the trace has no task " + id), indexedPage.body());
      TaskLookup lookup = new TaskLookup(fleet, summary.taskIndex());
      assertTrue(lookup.find(TaskKeys.key(id, 0)).isEmpty());
      assertEquals(0, lookup.chunksRead(), "no chunk's range holds it");
    }
  }
}
