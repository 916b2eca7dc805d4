package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.EventNames;
import io.github.livetrace.internal.StringPoolGuard;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Strings of 17 to 127 chars, which JFR writes once per chunk into a string pool and refers to by
 * id, must survive consecutive recordings and chunk rotations (issue 8: on JDK 17, tasks recorded
 * right after a rotation came out with every such string null).
 *
 * <p>The loss needs a thread that commits its first JFR event after a rotation, or after the start
 * of a recording that followed another, before any thread flagged by that rotation commits one:
 * a request served by a pool thread that had not served one while a trace recorded. So every
 * request here runs on a brand-new thread: two in a warm-up recording, two in a short trace, one
 * right after the second trace starts and one after each of its first rotations. Without the
 * guard, JDK 17.0.15 loses strings in both traces in every run: all those of the short trace, and
 * at least those of the task after the second trace's first rotation (later rounds are spared
 * where JFR commits an event of its own after each rotation, as {@code jdk.ContainerConfiguration}
 * in a container).
 */
class PooledStringsTest {
  // All longer than 16 chars and shorter than 128: the lengths JFR pools.
  private static final String TASK_TYPE = "http GET /api/orders/{orderId}";
  private static final String REGION_TYPE = "load-order-from-database";
  private static final String CATEGORY = "order-processing-category";
  private static final String MESSAGE = "loaded the order of customer acme-corporation";
  private static final String OPEN_TYPE = "nightly export of all orders";

  /** The string fields of each event type of a request, and what they must hold. */
  private static final Map<String, Map<String, String>> EXPECTED =
      Map.of(
          EventNames.TASK_END, Map.of("taskType", TASK_TYPE),
          EventNames.REGION, Map.of("regionType", REGION_TYPE),
          EventNames.LOG, Map.of("category", CATEGORY, "message", MESSAGE));

  private static final int ROUNDS = 12;

  @AfterEach
  void stopTrace() {
    Trace.stop();
  }

  @Test
  void longNamesSurviveWarmUpConsecutiveTracesAndRotations() throws Exception {
    // The warm-up that the servlet and the starter run: a throwaway recording, during which the
    // application may already record its tasks.
    Recording warmUp = new Recording();
    warmUp.start();
    onNewThread(PooledStringsTest::request);
    onNewThread(PooledStringsTest::request);
    warmUp.stop();
    warmUp.close();

    // A short trace: shorter than a chunk interval, so its only rotations are its start and stop.
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    Trace.start(first);
    onNewThread(PooledStringsTest::request);
    onNewThread(PooledStringsTest::request);
    Trace.stop();

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    TraceSession session =
        Trace.start(second, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)));
    // Right after the start, which is a rotation too: the names were pooled in the first trace.
    onNewThread(PooledStringsTest::request);
    // A task open throughout, written at each chunk's end by the thread that rotates.
    Task[] open = new Task[1];
    onNewThread(() -> open[0] = Trace.newTask(OPEN_TYPE));
    for (int round = 0; round < ROUNDS; round++) {
      int chunks = session.chunksWritten();
      assertTrue(
          eventually(60, () -> session.chunksWritten() > chunks),
          "no chunk was written within a minute in round " + round);
      onNewThread(PooledStringsTest::request);
    }
    Trace.stop();
    open[0].end();

    List<RecordedEvent> opens = events(second.toByteArray(), EventNames.OPEN_TASK);
    assertTrue(opens.size() >= ROUNDS, opens.size() + " open-task events");
    for (RecordedEvent e : opens) {
      assertEquals(OPEN_TYPE, e.getString("taskType"), "open task at " + e.getStartTime());
    }
    List<String> lostInFirst = lostStrings(first.toByteArray(), 2);
    List<String> lostInSecond = lostStrings(second.toByteArray(), ROUNDS + 1);
    assertTrue(
        lostInFirst.isEmpty() && lostInSecond.isEmpty(),
        "string fields lost: "
            + lostInFirst.size()
            + " in the short trace after the warm-up "
            + lostInFirst
            + ", "
            + lostInSecond.size()
            + " in the trace after it "
            + lostInSecond);
    assertJfrPrintShowsAll(first.toByteArray(), 2);
    assertJfrPrintShowsAll(second.toByteArray(), ROUNDS + 1);

    // The guard's price: two sync events per new thread at most, one more for the trace's start,
    // and none where JFR needs no help. The threads that start and rotate recordings write the
    // livetrace.JVM event of each chunk, and are guarded too.
    long syncs = events(second.toByteArray(), EventNames.STRING_POOL_SYNC).size();
    long rotators = events(second.toByteArray(), EventNames.JVM).stream()
        .map(e -> e.getThread() == null ? -1 : e.getThread().getJavaThreadId()).distinct().count();
    if (StringPoolGuard.NEEDED) {
      assertTrue(syncs > 0 && syncs <= 2 * (ROUNDS + 1 + rotators) + 1, syncs + " sync events, " + rotators + " threads that rotate");
    } else {
      assertEquals(0, syncs, "sync events on JDK " + Runtime.version().feature());
    }
  }

  /** One request, as the servlet filter records it: a task with a region and a log. */
  private static void request() {
    Task task = Trace.newTask(TASK_TYPE);
    try (Task.Scope scope = task.makeCurrent();
        Region region = Trace.startRegion(REGION_TYPE)) {
      Trace.log(CATEGORY, MESSAGE);
    } finally {
      task.end();
    }
  }

  /** Runs on a thread that has never written a JFR event, and waits for it. */
  private static void onNewThread(Runnable body) throws InterruptedException {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(body, "pooled-strings-test");
    thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
    thread.start();
    thread.join();
    if (failure.get() != null) {
      throw new AssertionError("the request thread failed", failure.get());
    }
  }

  /** The string fields that do not hold what was recorded, read with RecordingFile. */
  private static List<String> lostStrings(byte[] trace, int requests) {
    List<RecordedEvent> all = events(trace);
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> type : EXPECTED.entrySet()) {
      int count = 0;
      for (RecordedEvent e : all) {
        if (!e.getEventType().getName().equals(type.getKey())) {
          continue;
        }
        count++;
        for (Map.Entry<String, String> field : type.getValue().entrySet()) {
          String value = e.getString(field.getKey());
          if (!field.getValue().equals(value)) {
            lost.add(type.getKey() + "." + field.getKey() + " = " + value + " at " + e.getStartTime());
          }
        }
      }
      assertEquals(requests, count, type.getKey() + " events in the trace");
    }
    return lost;
  }

  /** What a user sees: the JDK's own tool prints a lost string as N/A. */
  private static void assertJfrPrintShowsAll(byte[] trace, int requests) {
    String printed = jfr(trace, "print", "--events", String.join(",", EXPECTED.keySet()));
    // A task ended where it began names no begin thread, which jfr prints as N/A too.
    String strings = printed.replace("beginThread = N/A", "");
    assertFalse(strings.contains("N/A"), "jfr print shows lost strings:\n" + printed);
    assertEquals(requests, occurrences(printed, "taskType = \"" + TASK_TYPE + "\""));
    assertEquals(requests, occurrences(printed, "regionType = \"" + REGION_TYPE + "\""));
    assertEquals(requests, occurrences(printed, "message = \"" + MESSAGE + "\""));
  }

  private static int occurrences(String text, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
