// Writes a large livetrace trace for benchmarks/cli-summary.sh: request-like tasks with nested
// regions and logs, some handed to a second thread, enough of them for a trace of about SIZE_MB.
//
//   java -cp core/target/livetrace-core-*.jar benchmarks/cli-summary-workload.java OUT.jfr SIZE_MB

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceSession;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class CliSummaryWorkload {
  /** Trace bytes per request, measured: the size of the trace follows from the number of requests. */
  private static final long BYTES_PER_REQUEST = 160;

  private static final String[] ROUTES = {"GET /orders", "POST /orders", "GET /menu", "GET /health"};

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    long requests = Long.parseLong(args[1]) * 1024 * 1024 / BYTES_PER_REQUEST;
    ExecutorService pool = Task.propagating(Executors.newFixedThreadPool(1));
    long tasks = 0;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
      // The recorder forwards chunks behind a workload this busy, so its byte count cannot say
      // when to stop: the number of requests does.
      TraceSession session = Trace.start(file);
      while (tasks < requests) {
        request(pool, tasks++);
      }
      Trace.stop();
      if (session.failure().isPresent()) {
        throw new IllegalStateException("the trace failed", session.failure().get());
      }
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    System.out.printf("%s: %d MB, %d tasks%n", out, Files.size(out) / (1024 * 1024), tasks);
  }

  private static void request(ExecutorService pool, long n) throws Exception {
    Task task = Trace.newTask(ROUTES[(int) (n % ROUTES.length)]);
    try (Task.Scope scope = task.makeCurrent()) {
      Trace.withRegion("parse", () -> spin(n % 7));
      Future<?> db;
      try (Region region = Trace.startRegion("handler")) {
        db = n % 10 == 0 ? pool.submit(() -> Trace.withRegion("db", () -> spin(20))) : null;
        try (Region query = Trace.startRegion("query")) {
          spin(n % 13);
        }
        if (n % 3 == 0) {
          Trace.log("app", "request " + n + " served from cache");
        }
      }
      if (db != null) {
        db.get();
      }
      Trace.withRegion("render", () -> spin(n % 5));
    } finally {
      task.end();
    }
  }

  private static long sink;

  private static void spin(long rounds) {
    long x = rounds;
    for (long i = 0; i < rounds * 10; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    sink += x;
  }
}
