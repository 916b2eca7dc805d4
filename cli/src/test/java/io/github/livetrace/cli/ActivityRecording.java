package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * A trace of one task, "order", that burns CPU in {@code spinInsideTheTask} on the test's thread,
 * has a barista thread wait for a monitor it holds, sleep, then wait for a {@code ReentrantLock}
 * it holds (the till), while the test's thread then waits for the barista's job (a park that is
 * not a lock's), and runs a {@code System.gc()}; after
 * it ends, the test's thread burns CPU in {@code spinOutsideTheTask}. Recorded once, for the view
 * tests that show what threads did.
 */
final class ActivityRecording {
  private static ActivityRecording recorded;

  private final Object lock = new Object();
  private final ReentrantLock till = new ReentrantLock();
  private final Map<String, AtomicInteger> sampled = new ConcurrentHashMap<>(); // by method name
  final byte[] trace;
  final Path file;
  final String mainThread;

  /** The recording, made on first use. */
  static synchronized ActivityRecording get() throws Exception {
    if (recorded == null) {
      recorded = new ActivityRecording();
    }
    return recorded;
  }

  @SuppressWarnings("try") // scopes are closed, not used
  private ActivityRecording() throws Exception {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Task.propagating(Executors.newFixedThreadPool(1, r -> new Thread(r, "barista-" + threads.incrementAndGet())));
    // A stream of the same JVM's samples says when a method has been sampled: the workload spins
    // until then, whatever the machine's load.
    try (RecordingStream samples = new RecordingStream()) {
      samples.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      samples.onEvent("jdk.ExecutionSample", e -> {
        for (RecordedFrame frame : e.getStackTrace() == null ? List.<RecordedFrame>of() : e.getStackTrace().getFrames()) {
          sampled.computeIfAbsent(frame.getMethod().getName(), m -> new AtomicInteger()).incrementAndGet();
        }
      });
      samples.startAsync();
      TraceOptions options = TraceOptions.defaults().withChunkInterval(Duration.ofMillis(300))
          .withSetting("jdk.ExecutionSample#period", "10 ms");
      mainThread = Thread.currentThread().getName();
      trace = Recordings.record(options, () -> {
        Task order = Trace.newTask("order");
        try (Task.Scope s = order.makeCurrent()) {
          Trace.withRegion("compute", () -> spinInsideTheTask());
          Future<?> brew;
          till.lock();
          try {
            synchronized (lock) {
              brew = pool.submit(() -> Trace.withRegion("brew", () -> {
                synchronized (lock) {
                  work(60); // jdk.ThreadSleep, above its 20 ms threshold
                }
                till.lock(); // jdk.ThreadPark in ReentrantLock.lock: lock contention
                till.unlock();
                work(60); // the test's thread waits for the brew meanwhile: a park that is no lock's
              }));
              awaitBlocked(Thread.State.BLOCKED);
              work(60); // the barista waits for the lock meanwhile: jdk.JavaMonitorEnter
            }
            awaitBlocked(Thread.State.WAITING);
            work(60); // the barista waits for the till meanwhile
          } finally {
            till.unlock();
          }
          brew.get(30, TimeUnit.SECONDS); // jdk.ThreadPark in FutureTask.get: blocking, not contention
          System.gc(); // a GC pause inside the task
        } finally {
          order.end();
        }
        spinOutsideTheTask();
      });
    } finally {
      pool.shutdown();
    }
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    file = TraceFiles.write(trace);
  }

  private void spinInsideTheTask() {
    spinUntilSampled("spinInsideTheTask");
  }

  private void spinOutsideTheTask() {
    spinUntilSampled("spinOutsideTheTask");
  }

  /** Burns CPU until JFR has sampled {@code method} three times (60 s at most). */
  private void spinUntilSampled(String method) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    double x = 0;
    while (sampled(method) < 3 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100_000; i++) {
        x += Math.sqrt(i + x);
      }
    }
    assertTrue(x > 0 && sampled(method) >= 3, method + " was not sampled within 60 s");
  }

  /** How often the JVM's samples had {@code method} on the stack while recording. */
  int sampled(String method) {
    AtomicInteger n = sampled.get(method);
    return n == null ? 0 : n.get();
  }

  /**
   * Waits until the barista is in {@code state} (60 s at most): BLOCKED on the monitor, WAITING
   * parked for the till.
   */
  private static void awaitBlocked(Thread.State state) {
    assertTrue(TraceFiles.eventually(60, () -> {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("barista-") && t.getState() == state) {
          return true;
        }
      }
      return false;
    }), "the barista never waited: " + state);
  }

  /** The order task's id, begin and end, in nanoseconds since the epoch, as jdk.jfr.consumer reads them. */
  long[] order() {
    // A task's end holds its begin: taskDuration before it.
    RecordedEvent end = TraceFiles.events(trace, EventNames.TASK_END).stream()
        .filter(e -> "order".equals(e.getString("taskType"))).findFirst().orElseThrow();
    long at = nanos(end.getStartTime()); // the end's time; its JFR duration is a leftover
    return new long[] {end.getLong("taskId"), at - end.getDuration("taskDuration").toNanos(), nanos(end.getEndTime())};
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
