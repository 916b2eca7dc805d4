package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.TraceStats;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.management.jfr.FlightRecorderMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * livetrace's recording stopped or closed by someone else: JDK Mission Control (through the
 * {@code FlightRecorderMXBean}), an operator's {@code jcmd JFR.stop}, code that closes every
 * recording. The trace must end at once (the chunk interval here is 30 s, the wait 20 s, so it
 * cannot have waited for a tick) with a failure that names what happened, free the slot, and leave
 * no recording, open or closed, and no chunk file.
 */
class OutsideActionsTest {
  private static final Duration LONG_INTERVAL = Duration.ofSeconds(30);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private long failuresBefore;

  @AfterEach
  void cleanUp() {
    Trace.stop();
  }

  private TraceSession startTraceAndWaitForItsFirstChunk() {
    failuresBefore = TraceStats.failedCount(TraceFailure.Reason.RECORDING_CLOSED);
    TraceSession session =
        Trace.start(out, TraceOptions.defaults().withChunkInterval(LONG_INTERVAL).withDuration(Duration.ofSeconds(120)));
    Trace.log("outside-actions-test", "before the outside action");
    assertTrue(eventually(60, () -> session.chunksWritten() >= 1), "the early first chunk did not come");
    return session;
  }

  private static long livetraceRecordingId() {
    return FlightRecorder.getFlightRecorder().getRecordings().stream()
        .filter(r -> r.getName().equals("livetrace"))
        .findFirst()
        .orElseThrow()
        .getId();
  }

  private void assertEndedBecause(TraceSession session, String... words) throws Exception {
    assertTrue(session.awaitTermination(Duration.ofSeconds(20)), "the trace waited for its next tick");
    TraceFailure failure = session.failure().orElseThrow(() -> new AssertionError("the trace ended without a failure"));
    assertEquals(TraceFailure.Reason.RECORDING_CLOSED, failure.reason());
    for (String word : words) {
      assertTrue(failure.getMessage().contains(word), "'" + word + "' not in: " + failure.getMessage());
    }
    assertEquals(failuresBefore + 1, TraceStats.failedCount(TraceFailure.Reason.RECORDING_CLOSED), "not counted");
    assertFalse(Trace.isEnabled());
    assertTrue(
        eventually(30, () -> FlightRecorder.getFlightRecorder().getRecordings().isEmpty()),
        () -> "recordings left: " + FlightRecorder.getFlightRecorder().getRecordings().stream()
            .map(r -> r.getId() + " " + r.getName() + " " + r.getState()).collect(Collectors.toList()));
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
    byte[] trace = out.toByteArray();
    assertEquals(session.chunksWritten(), chunks(trace).size());
    assertTrue(jfr(trace, "print", "--events", "livetrace.Log").contains("before the outside action"));

    ByteArrayOutputStream next = new ByteArrayOutputStream();
    Trace.start(next); // the slot is free
    Trace.stop();
    assertFalse(chunks(next.toByteArray()).isEmpty());
  }

  @Test
  void stoppedThroughTheMxBeanAsJdkMissionControlDoes() throws Exception {
    TraceSession session = startTraceAndWaitForItsFirstChunk();
    FlightRecorderMXBean bean = ManagementFactory.getPlatformMXBean(FlightRecorderMXBean.class);
    bean.stopRecording(livetraceRecordingId());
    assertEndedBecause(session, "stopped from outside", "'livetrace'");
  }

  @Test
  void closedThroughTheMxBean() throws Exception {
    TraceSession session = startTraceAndWaitForItsFirstChunk();
    ManagementFactory.getPlatformMXBean(FlightRecorderMXBean.class).closeRecording(livetraceRecordingId());
    assertEndedBecause(session, "from outside");
  }

  @Test
  void codeThatClosesEveryRecording() throws Exception {
    TraceSession session = startTraceAndWaitForItsFirstChunk();
    Thread closer =
        new Thread(() -> FlightRecorder.getFlightRecorder().getRecordings().forEach(Recording::close), "closes-everything");
    closer.start();
    closer.join();
    assertEndedBecause(session, "from outside", "closes-everything");
  }

  @Test
  void stoppedByAnOperatorWithJcmd() throws Exception {
    TraceSession session = startTraceAndWaitForItsFirstChunk();
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()), "JFR.stop", "name=livetrace")
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jcmd did not finish");
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), said);
    assertEndedBecause(session, "from outside");
  }

  @Test
  void aTraceThatEndsNormallyIsNoFailureAndLeavesNothing() throws Exception {
    TraceSession session =
        Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)).withDuration(Duration.ofMillis(800)));
    assertTrue(session.awaitTermination(Duration.ofSeconds(60)));
    assertTrue(session.failure().isEmpty(), () -> session.failure().toString());
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
    List<?> left = repositoryChunkFiles();
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), "files left: " + left);
  }
}
