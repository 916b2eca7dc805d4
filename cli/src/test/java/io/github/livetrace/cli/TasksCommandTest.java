package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tasks}: the slowest tasks, filters, and a task's regions on two threads. What is slowest
 * is read from the trace: on a busy machine a 10 ms task may take longer than a 70 ms one.
 */
class TasksCommandTest {
  private static final long[] ORDER_MILLIS = {10, 30, 50, 70};
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL =
      Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "barista-" + THREADS.incrementAndGet())));

  private static Path file;
  private static long slowOrderId;
  private static long batchId;
  private static final List<Long> orderIds = new ArrayList<>();
  private static String mainThread;
  private static final Map<Long, Long> durationNanos = new HashMap<>(); // of each task, from the trace

  @BeforeAll
  @SuppressWarnings("try") // scopes and regions are closed, not used
  static void record() throws Exception {
    mainThread = Thread.currentThread().getName();
    byte[] trace =
        Recordings.record(
            TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)),
            () -> {
              Task batch = Trace.newTask("batch");
              batchId = batch.id();
              try (Task.Scope b = batch.makeCurrent()) {
                for (long millis : ORDER_MILLIS) {
                  Task order = Trace.newTask("order");
                  orderIds.add(order.id());
                  try (Task.Scope s = order.makeCurrent()) {
                    Trace.withRegion("wait", () -> work(millis));
                  } finally {
                    order.end();
                  }
                }
                slowOrderOnTwoThreads();
              } finally {
                batch.end();
              }
            });
    file = TraceFiles.write(trace);
    for (RecordedEvent end : TraceFiles.events(trace, EventNames.TASK_END)) {
      durationNanos.put(end.getLong("taskId"), end.getLong("taskDuration"));
    }
    assertEquals(7, durationNanos.size(), "tasks that ended in the trace: " + durationNanos);
  }

  /** The ids of the tasks that take {@code min} to {@code max}, as {@code tasks} lists them. */
  private static List<Long> expected(Collection<Long> tasks, Duration min, Duration max, int limit) {
    return tasks.stream()
        .filter(id -> durationNanos.get(id) >= min.toNanos() && durationNanos.get(id) <= max.toNanos())
        .sorted(Comparator.comparing((Long id) -> durationNanos.get(id)).reversed().thenComparing(id -> id))
        .limit(limit)
        .collect(Collectors.toList());
  }

  private static List<Long> allOrders() {
    List<Long> orders = new ArrayList<>(orderIds);
    orders.add(slowOrderId);
    return orders;
  }

  /** About 120 ms: steaming on this thread while a barista brews, then a receipt. */
  @SuppressWarnings("try") // scopes and regions are closed, not used
  private static void slowOrderOnTwoThreads() throws Exception {
    Task order = Trace.newTask("order");
    slowOrderId = order.id();
    try (Task.Scope s = order.makeCurrent()) {
      Future<?> brew =
          POOL.submit(
              () ->
                  Trace.withRegion(
                      "brew",
                      () -> {
                        Trace.log("barista", "espresso for Ann");
                        work(120);
                      }));
      Trace.withRegion("steam", () -> work(60));
      brew.get(30, TimeUnit.SECONDS);
      Task receipt = Trace.newTask("receipt"); // begun here, ended by the barista
      POOL.submit(receipt::end).get(30, TimeUnit.SECONDS);
    } finally {
      order.end();
    }
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  @Test
  void aTaskEndedOnAnotherThreadShowsItsBeginWhereItBegan() {
    String out = Cli.run("tasks", file.toString(), "--type", "receipt").ok().out();
    assertTrue(line(out, "task begin").contains(mainThread), out);
    assertTrue(line(out, "task end").contains("barista-1"), out);
    assertTrue(line(out, "threads").contains(mainThread) && line(out, "threads").contains("barista-1"), out);
  }

  @Test
  void aTaskShowsItsRegionsOnBothThreadsInTimeOrder() {
    String out = Cli.run("tasks", file.toString(), "--text", "steam").ok().out();
    assertEquals(List.of(slowOrderId), taskIds(out), out);
    assertTrue(out.startsWith("1 of 7 tasks match"), out);
    String brew = line(out, "region brew");
    String steam = line(out, "region steam");
    assertTrue(brew.contains("barista-1"), brew);
    assertTrue(steam.contains(mainThread), steam);
    assertTrue(line(out, "threads").contains("barista-1 (1 region)"), out);
    assertTrue(line(out, "threads").contains(mainThread + " (1 region)"), out);
    assertTrue(line(out, "parent").contains(batchId + " batch"), out);
    assertTrue(line(out, "children").matches("\\s*children\\s+1: \\d+ receipt .*"), out);
    assertTrue(line(out, "log barista: espresso for Ann").contains("barista-1"), out);
    // time order: begin, brew and steam (in either order), the log inside brew, end
    List<String> events = timelineEvents(out);
    assertEquals("task begin", events.get(0), out);
    assertEquals("task end", events.get(events.size() - 1), out);
    assertTrue(events.indexOf("region brew") < events.indexOf("log barista: espresso for Ann"), out);
    assertTrue(offsetMillis(brew) >= 0, brew);
    assertTrue(durationMillis(brew) >= 120, brew);
    assertTrue(durationMillis(steam) >= 60, steam);
  }

  @Test
  void minAndMaxSelectByDuration() {
    Duration zero = Duration.ZERO;
    Duration forever = Duration.ofDays(1);
    String slow = Cli.run("tasks", file.toString(), "--min", "100ms").ok().out();
    assertEquals(expected(durationNanos.keySet(), Duration.ofMillis(100), forever, 10), taskIds(slow), slow);
    assertTrue(taskIds(slow).containsAll(List.of(batchId, slowOrderId)), slow); // 120 ms of work at least
    String fast = Cli.run("tasks", file.toString(), "--type", "order", "--max", "25ms").ok().out();
    assertEquals(expected(allOrders(), zero, Duration.ofMillis(25), 10), taskIds(fast), fast);
    String none = Cli.run("tasks", file.toString(), "--min", "1h").ok().out();
    assertTrue(none.startsWith("no task matches (7 tasks"), none);
  }

  @Test
  void textMatchesLogMessagesRegionTypesAndTaskTypes() {
    assertEquals(List.of(slowOrderId), taskIds(Cli.run("tasks", file.toString(), "--text", "FOR ANN").ok().out()));
    assertEquals(List.of(slowOrderId), taskIds(Cli.run("tasks", file.toString(), "--text", "steam").ok().out()));
    List<Long> receipts = taskIds(Cli.run("tasks", file.toString(), "--text", "receipt").ok().out());
    assertEquals(1, receipts.size());
    assertFalse(receipts.contains(slowOrderId), "a child's type is not its parent's");
  }

  @Test
  void slowestFirstAndLimited() {
    String out = Cli.run("tasks", file.toString(), "--type", "order", "--limit", "3").ok().out();
    assertTrue(out.startsWith("5 of 7 tasks match"), out);
    assertEquals(expected(allOrders(), Duration.ZERO, Duration.ofDays(1), 3), taskIds(out), out);
  }

  private static List<Long> taskIds(String out) {
    List<Long> ids = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^task (\\d+) ").matcher(out);
    while (m.find()) {
      ids.add(Long.parseLong(m.group(1)));
    }
    return ids;
  }

  private static String line(String out, String part) {
    return out.lines().filter(l -> l.contains(part)).findFirst()
        .orElseThrow(() -> new AssertionError("no line with '" + part + "' in\n" + out));
  }

  private static List<String> timelineEvents(String out) {
    List<String> events = new ArrayList<>();
    for (String l : out.lines().toArray(String[]::new)) {
      Matcher m = Pattern.compile("^\\s+[+-]\\S+\\s+.*?\\s((task|region|log) .*)$").matcher(l);
      if (m.matches()) {
        events.add(m.group(1).strip());
      }
    }
    return events;
  }

  private static double offsetMillis(String timelineLine) {
    return millis(timelineLine.strip().split("\\s+")[0].substring(1));
  }

  private static double durationMillis(String timelineLine) {
    return millis(timelineLine.strip().split("\\s+")[1]);
  }

  private static double millis(String duration) {
    Matcher m = Pattern.compile("([0-9.]+)(ns|us|ms|s)").matcher(duration);
    assertTrue(m.matches(), duration);
    double value = Double.parseDouble(m.group(1));
    switch (m.group(2)) {
      case "ns": return value / 1e6;
      case "us": return value / 1e3;
      case "ms": return value;
      default: return value * 1e3;
    }
  }
}
