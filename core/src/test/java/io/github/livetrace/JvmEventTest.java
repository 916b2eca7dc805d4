package io.github.livetrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every chunk of every trace and flight-recorder window says which JVM wrote it (issue 15): the
 * host name, the JVM's start, its pid, the JDK's and livetrace's versions, and nothing else.
 */
class JvmEventTest {
  @TempDir Path store;

  @Test
  void everyChunkOfConsecutiveTracesNamesThisJvm() throws Exception {
    long pid = ProcessHandle.current().pid();
    long start = ManagementFactory.getRuntimeMXBean().getStartTime();
    int javaVersions = 0;
    int periods = 0;
    int chunks = 0;
    for (int trace = 0; trace < 3; trace++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TraceSession session =
          Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(250)).withDuration(Duration.ofMillis(1200)));
      assertTrue(session.awaitTermination(Duration.ofSeconds(60)));
      assertTrue(session.failure().isEmpty(), () -> session.failure().get().getMessage());
      for (byte[] chunk : split(out.toByteArray())) {
        chunks++;
        List<RecordedEvent> jvm = TraceFiles.events(chunk, "livetrace.JVM");
        assertEquals(1, jvm.size(), "one livetrace.JVM event per chunk");
        RecordedEvent e = jvm.get(0);
        assertEquals(pid, e.getLong("pid"));
        assertEquals(start, e.getInstant("jvmStartTime").toEpochMilli());
        assertEquals(
            List.of("executionSamplePeriod", "hostName", "javaVersion", "jvmStartTime", "livetraceVersion", "pid"),
            e.getFields().stream().map(f -> f.getName()).filter(n -> !List.of("startTime", "duration", "eventThread", "stackTrace").contains(n)).sorted().toList(),
            "no other field: nothing that can carry a secret");
        if (Runtime.version().toString().equals(e.getString("javaVersion"))) {
          javaVersions++;
        }
        if (e.getLong("executionSamplePeriod") == 20_000_000L) {
          periods++; // the default settings' jdk.ExecutionSample period
        }
        assertNotNull(e.getString("livetraceVersion"));
        assertFalse(e.getString("livetraceVersion").contains("${"), "the version resource is filtered");
      }
    }
    // The version string is long enough for JFR's string pool; on JDK 17 to 20 only the first
    // chunk of a recording started while none ran may lose it (see JvmEvent).
    int mayLose = Runtime.version().feature() < 21 ? 3 : 0;
    assertTrue(javaVersions >= chunks - mayLose, javaVersions + " of " + chunks + " chunks name the JDK");
    // The first chunk of a recording begins while it is starting, before JFR counts it running.
    assertTrue(periods >= chunks - 3, periods + " of " + chunks + " chunks say the sample period");
  }

  @Test
  void everyChunkOfAFlightRecorderWindowNamesThisJvm() throws Exception {
    FlightRecorder recorder =
        new FlightRecorder(FlightRecorderOptions.defaults().withMinAge(Duration.ofSeconds(1)).withSnapshotDirectory(store));
    recorder.start();
    try {
      Trace.log("x", "y");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      recorder.writeTo(out);
      List<byte[]> chunks = split(out.toByteArray());
      assertFalse(chunks.isEmpty());
      for (byte[] chunk : chunks) {
        assertEquals(1, TraceFiles.events(chunk, "livetrace.JVM").size());
      }
    } finally {
      recorder.stop();
    }
  }

  private static List<byte[]> split(byte[] trace) {
    List<byte[]> chunks = new ArrayList<>();
    long offset = 0;
    for (ChunkHeader h : TraceFiles.chunks(trace)) {
      chunks.add(Arrays.copyOfRange(trace, (int) offset, (int) (offset + h.chunkSize())));
      offset += h.chunkSize();
    }
    return chunks;
  }
}
