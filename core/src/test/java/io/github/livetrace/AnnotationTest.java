package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.Text;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks, regions and logs, as they appear in a real trace. */
class AnnotationTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ExecutorService pool = Task.propagating(Executors.newFixedThreadPool(2));

  @AfterEach
  void cleanUp() throws InterruptedException {
    Trace.stop();
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  /** Records whatever {@code body} does and returns the livetrace events, in time order. */
  private List<RecordedEvent> record(Runnable body) {
    Trace.start(out);
    try {
      body.run();
    } finally {
      Trace.stop();
    }
    return events(out.toByteArray()).stream()
        .filter(e -> e.getEventType().getName().startsWith("livetrace."))
        .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
        .collect(Collectors.toList());
  }

  private static List<RecordedEvent> ofType(List<RecordedEvent> events, String type) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals("livetrace." + type))
        .collect(Collectors.toList());
  }

  @Test
  void tasksHaveUniqueIdsAndTheCurrentTaskAsParent() {
    List<Task> tasks = new ArrayList<>();
    List<RecordedEvent> events =
        record(
            () -> {
              assertEquals(0, Task.current().id(), "the background task is id 0");
              Task parent = Trace.newTask("parent");
              tasks.add(parent);
              try (Task.Scope s = parent.makeCurrent()) {
                assertSame(parent, Task.current());
                Task child = Trace.newTask("child");
                tasks.add(child);
                child.end();
              }
              assertEquals(0, Task.current().id(), "closing the scope restores the previous task");
              parent.end();
            });
    Task parent = tasks.get(0);
    Task child = tasks.get(1);
    assertNotEquals(parent.id(), child.id());
    assertEquals(0, parent.parentId());
    assertEquals(parent.id(), child.parentId());
    assertTrue(ofType(events, "TaskBegin").isEmpty(), "a task's end says all of it");
    List<RecordedEvent> ends = ofType(events, "TaskEnd");
    assertEquals(2, ends.size());
    assertEquals(child.id(), ends.get(0).getLong("taskId"));
    assertEquals(parent.id(), ends.get(0).getLong("parentId"));
    assertEquals("child", ends.get(0).getString("taskType"));
    assertEquals(0, ends.get(1).getLong("parentId"));
  }

  @Test
  void anExplicitParentWinsOverTheThreadsCurrentTask() {
    Task elsewhere = Trace.newTask("elsewhere");
    Task current = Trace.newTask("current");
    try (Task.Scope s = current.makeCurrent()) {
      assertEquals(elsewhere.id(), Trace.newTask(elsewhere, "child").parentId());
      assertEquals(0, Trace.newTask(null, "top").parentId());
      assertEquals(current.id(), Trace.newTask("implicit").parentId());
    }
  }

  @Test
  void aTaskEndsOnceEvenWhenEndedAgainOnAnotherThread() throws Exception {
    List<RecordedEvent> events =
        record(
            () -> {
              Task task = Trace.newTask("handoff");
              CompletableFuture.runAsync(task::end, pool).join();
              task.end();
              task.end();
              assertTrue(task.isEnded());
            });
    List<RecordedEvent> ends = ofType(events, "TaskEnd");
    assertEquals(1, ends.size());
    assertNotEquals(
        Thread.currentThread().getName(), ends.get(0).getThread().getJavaName(), "it ended on the pool");
    assertTrue(ofType(events, "Misuse").isEmpty(), "ending a task twice is allowed, as in Go");
  }

  @Test
  void aTaskFollowsWorkAcrossThreads() {
    long[] taskId = new long[1];
    List<RecordedEvent> events =
        record(
            () -> {
              Task order = Trace.newTask("order");
              taskId[0] = order.id();
              try (Task.Scope s = order.makeCurrent()) {
                CompletableFuture<?> brew =
                    CompletableFuture.runAsync(() -> Trace.withRegion("brew", () -> Trace.log("step", "brewing")), pool);
                String milk = Trace.withRegion("steam", () -> "steamed");
                assertEquals("steamed", milk);
                brew.join();
              }
              order.end();
            });
    Set<String> threads =
        events.stream()
            .filter(e -> e.hasField("taskId") && e.getLong("taskId") == taskId[0])
            .map(e -> e.getThread().getJavaName())
            .collect(Collectors.toSet());
    assertEquals(2, threads.size(), "task should span the test thread and a pool thread: " + threads);
    RecordedEvent brew =
        ofType(events, "Region").stream().filter(e -> e.getString("regionType").equals("brew")).findFirst().orElseThrow();
    assertEquals(taskId[0], brew.getLong("taskId"));
    assertEquals(taskId[0], ofType(events, "Log").get(0).getLong("taskId"));
  }

  @Test
  void wrappedRunnablesAndCallablesRunInTheirTask() throws Exception {
    Task task = Trace.newTask("wrapped");
    AtomicInteger seen = new AtomicInteger();
    ExecutorService plain = Executors.newSingleThreadExecutor();
    try {
      plain.submit(task.wrap(() -> seen.set((int) Task.current().id()))).get(30, TimeUnit.SECONDS);
      assertEquals(task.id(), seen.get());
      assertEquals(task.id(), plain.submit(task.wrap(() -> Task.current().id())).get(30, TimeUnit.SECONDS));
      assertEquals(0L, plain.submit(() -> Task.current().id()).get(30, TimeUnit.SECONDS), "no leak to the pool thread");
    } finally {
      plain.shutdownNow();
    }
    assertNull(task.wrap((Runnable) null));
    assertNull(Task.propagating((ExecutorService) null));
  }

  @Test
  void regionsNestAndCarryTheirDuration() {
    List<RecordedEvent> events =
        record(
            () -> {
              try (Region outer = Trace.startRegion("outer")) {
                try (Region inner = Trace.startRegion("inner")) {
                  Trace.log("in", "inner");
                }
              }
            });
    List<RecordedEvent> regions = ofType(events, "Region");
    assertEquals(2, regions.size());
    RecordedEvent inner = regions.stream().filter(r -> r.getString("regionType").equals("inner")).findFirst().orElseThrow();
    RecordedEvent outer = regions.stream().filter(r -> r.getString("regionType").equals("outer")).findFirst().orElseThrow();
    assertFalse(inner.getStartTime().isBefore(outer.getStartTime()));
    assertFalse(inner.getEndTime().isAfter(outer.getEndTime()));
    assertTrue(ofType(events, "Misuse").isEmpty());
  }

  @Test
  void misuseIsReportedNeverThrownAndNeverCorruptsTheTrace() throws Exception {
    long before = Trace.misuseCount();
    List<RecordedEvent> events =
        record(
            () -> {
              Region twice = Trace.startRegion("twice");
              twice.end();
              twice.end();

              Region elsewhere = Trace.startRegion("elsewhere");
              CompletableFuture.runAsync(elsewhere::end, pool).join();

              Region outer = Trace.startRegion("outer");
              Region inner = Trace.startRegion("inner");
              outer.end(); // before the region nested in it
              inner.end();

              Task task = Trace.newTask("scoped");
              Task.Scope scope = task.makeCurrent();
              scope.close();
              scope.close();

              Trace.logf("fmt", "%d apples", "not a number");
              Trace.withRegion("nothing", (Runnable) null);
            });
    List<RecordedEvent> misuse = ofType(events, "Misuse");
    Set<String> kinds = misuse.stream().map(e -> e.getString("kind")).collect(Collectors.toSet());
    assertEquals(
        Set.of("region-ended-twice", "region-ended-on-other-thread", "region-out-of-order", "scope-closed-twice", "bad-format", "null-action"),
        kinds);
    assertEquals(6, Trace.misuseCount() - before);
    assertTrue(misuse.get(0).getStackTrace() != null, "misuse events point at the call site");

    List<String> regions = ofType(events, "Region").stream().map(e -> e.getString("regionType")).collect(Collectors.toList());
    assertEquals(3, regions.size(), "recorded regions: " + regions);
    assertEquals(Set.of("twice", "outer", "inner"), Set.copyOf(regions), "'elsewhere' must not be recorded");
    assertEquals("%d apples", ofType(events, "Log").get(0).getString("message"), "a bad format logs the raw format");
  }

  @Test
  void strangeInputIsBoundedAndNeverThrows() {
    String huge = "x".repeat(3_000_000);
    String emoji = "a".repeat(Text.MAX_NAME - 2) + "\uD83D\uDE00\uD83D\uDE00";
    List<RecordedEvent> events =
        record(
            () -> {
              Task nameless = Trace.newTask(null);
              nameless.end();
              Trace.newTask(huge).end();
              Trace.withRegion(null, () -> {});
              Trace.withRegion("", () -> {});
              Trace.withRegion(emoji, () -> {});
              Trace.log(null, null);
              Trace.log(huge, huge);
              Trace.logf("fmt", null);
              Trace.logf(null, "%s", (Object[]) null);
            });
    List<RecordedEvent> tasks = ofType(events, "TaskEnd");
    assertEquals("", tasks.get(0).getString("taskType"));
    assertEquals(Text.MAX_NAME, tasks.get(1).getString("taskType").length());
    List<RecordedEvent> logs = ofType(events, "Log");
    assertEquals(Text.MAX_MESSAGE, logs.get(1).getString("message").length());
    assertTrue(logs.get(1).getString("message").endsWith("\u2026"));
    String cut = ofType(events, "Region").get(2).getString("regionType");
    assertFalse(Character.isHighSurrogate(cut.charAt(cut.length() - 2)), "a surrogate pair was split: " + cut);
  }

  @Test
  void whileNotTracingRegionsAreSharedNoOpsAndLogfDoesNotFormat() {
    assertFalse(Trace.isEnabled());
    assertSame(Trace.startRegion("a"), Trace.startRegion("b"));
    AtomicInteger formatted = new AtomicInteger();
    Object arg =
        new Object() {
          @Override
          public String toString() {
            formatted.incrementAndGet();
            return "arg";
          }
        };
    Trace.logf("cat", "%s", arg);
    assertEquals(0, formatted.get());
    Trace.start(out);
    Trace.logf("cat", "%s", arg);
    assertEquals(1, formatted.get());
  }

  @Test
  void aTaskBegunBeforeTheTraceStillEndsInIt() {
    Task early = Trace.newTask("early");
    List<RecordedEvent> events = record(early::end);
    assertTrue(ofType(events, "TaskBegin").isEmpty());
    RecordedEvent end = ofType(events, "TaskEnd").get(0);
    assertEquals(early.id(), end.getLong("taskId"));
    assertEquals("early", end.getString("taskType"));
  }

  @Test
  void propagatingExecutorServiceCarriesTheSubmittersTask() throws Exception {
    Task task = Trace.newTask("submitter");
    List<Long> seen = Collections.synchronizedList(new ArrayList<>());
    try (Task.Scope s = task.makeCurrent()) {
      pool.submit(() -> seen.add(Task.current().id())).get(30, TimeUnit.SECONDS);
      pool.invokeAll(List.of(() -> seen.add(Task.current().id()))).get(0).get(30, TimeUnit.SECONDS);
      Task.propagating((java.util.concurrent.Executor) pool).execute(() -> seen.add(Task.current().id()));
    }
    assertTrue(io.github.livetrace.testing.TraceFiles.eventually(30, () -> seen.size() == 3));
    assertEquals(List.of(task.id(), task.id(), task.id()), seen);
  }
}
