package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static volatile TraceSession recording; // the session of record(), for its workload

  /** Records {@code workload} with the given options; returns the trace bytes. */
  static byte[] record(TraceOptions options, Workload workload) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, options);
    recording = session;
    try {
      workload.run();
    } finally {
      recording = null;
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    return out.toByteArray();
  }

  /**
   * For a workload of {@link #record}: waits (60 s at most) until the recorder has written a chunk
   * more than {@code written}, a count {@link #chunksWritten} gave before: so that what came before
   * and what comes after lie in different chunks, however busy the machine.
   */
  static void awaitChunkAfter(int written) {
    TraceSession session = recording;
    assertTrue(TraceFiles.eventually(60, () -> session.chunksWritten() > written), "no chunk was written in 60 s");
  }

  /** Chunks the recorder of {@link #record} has written so far. */
  static int chunksWritten() {
    return recording.chunksWritten();
  }

  /**
   * Records {@code step}, run again and again until at least {@code chunks} chunks are written (for
   * 60 s at most), so that the trace has that many chunks whatever the machine's speed.
   */
  static byte[] recordChunks(TraceOptions options, int chunks, Workload step) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    byte[] trace = record(options, () -> {
      do {
        step.run();
      } while (chunksWritten() < chunks && System.nanoTime() < deadline);
    });
    assertTrue(TraceFiles.chunks(trace).size() >= chunks, "fewer than " + chunks + " chunks in 60 s");
    return trace;
  }

  /** The JDK that is not the one running the tests: 25 when they run on 17, 17 otherwise. */
  static Path otherJdk() {
    return Runtime.version().feature() == 17
        ? Path.of("/usr/lib/jvm/temurin-25-jdk-amd64")
        : Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
  }

  /**
   * Records {@link OtherJdkRecording}'s workload, tasks of {@code type}, in a child JVM of {@link
   * #otherJdk()}; skips the test when that JDK is absent.
   */
  static byte[] recordOnOtherJdk(Path dir, String type) throws Exception {
    Path java = otherJdk().resolve("bin").resolve("java");
    assumeTrue(Files.isExecutable(java), () -> "no other JDK at " + otherJdk() + " to record a part with");
    Path out = dir.resolve("other-jdk.jfr");
    Path log = dir.resolve("other-jdk.log");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        OtherJdkRecording.class.getName(), out.toString(), type)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the other JDK's recording finished");
    assertEquals(0, p.exitValue(), () -> "the other JDK's recording failed:\n" + readQuietly(log));
    return Files.readAllBytes(out);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The bytes of the traces one after the other, as {@code cat} makes them. */
  static byte[] concatenate(byte[]... traces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] trace : traces) {
      out.writeBytes(trace);
    }
    return out.toByteArray();
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
