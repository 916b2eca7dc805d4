package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;

/** Records real traces with the core recorder around a known workload. */
final class Recordings {
  /** A recorded workload. */
  interface Workload {
    void run() throws Exception;
  }

  private Recordings() {}

  /** Records {@code workload} with the given options; returns the trace bytes. */
  static byte[] record(TraceOptions options, Workload workload) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, options);
    try {
      workload.run();
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    return out.toByteArray();
  }

  /**
   * Records {@code step}, run again and again until at least {@code chunks} chunks are written (for
   * 60 s at most), so that the trace has that many chunks whatever the machine's speed.
   */
  static byte[] recordChunks(TraceOptions options, int chunks, Workload step) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, options);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      do {
        step.run();
      } while (session.chunksWritten() < chunks && System.nanoTime() < deadline);
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    byte[] trace = out.toByteArray();
    assertTrue(TraceFiles.chunks(trace).size() >= chunks, "fewer than " + chunks + " chunks in 60 s");
    return trace;
  }

  /** A workload step that takes a known time: sleeping is the work, not synchronisation. */
  static void work(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The events of one type whose string field has the given value. */
  static List<RecordedEvent> where(List<RecordedEvent> events, String field, String value) {
    return events.stream().filter(e -> value.equals(e.getString(field))).collect(Collectors.toList());
  }

  /** Exact nearest-rank percentile, the definition the CLI uses. */
  static long percentile(List<Long> values, double fraction) {
    List<Long> sorted = values.stream().sorted().collect(Collectors.toList());
    int rank = (int) Math.max(1, Math.ceil(fraction * sorted.size()));
    return sorted.get(rank - 1);
  }
}
