package io.github.livetrace.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.AsyncProfilerEngine.Choice;
import io.github.livetrace.internal.pprof.AsyncProfilerEngine.Mode;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** async-profiler as an engine, without HTTP: choice, sessions, and living beside JFR. */
class AsyncProfilerEngineTest {
  @Test
  void theChoiceIsParsedAndJfrNeverLoadsIt() {
    assertEquals(Choice.ASYNC_PROFILER, Choice.parse(" Async-Profiler "));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Choice.parse("perf"));
    assertEquals("livetrace.profiler must be auto, async-profiler or jfr, was 'perf'", bad.getMessage());
    assertEquals(Optional.of("livetrace.profiler=jfr"), AsyncProfilerEngine.load(Choice.JFR));
    assertEquals("JDK Flight Recorder (livetrace.profiler=jfr)", AsyncProfilerEngine.describe(Choice.JFR, Mode.CPU));
  }

  @Test
  void oneSessionAtATimeAndItsProfileNamesThreadsAndJavaFrames() throws Exception {
    assertEquals(Optional.empty(), AsyncProfilerEngine.load(Choice.AUTO));
    try (Workload w = new Workload().start("copier", 1, Workload::copyArrays)) {
      StackProfile profile;
      try (RecordedProfile session = AsyncProfilerEngine.start(Mode.CPU, Duration.ofSeconds(1))) {
        AsyncProfilerEngine.Busy busy = assertThrows(AsyncProfilerEngine.Busy.class, () -> AsyncProfilerEngine.start(Mode.WALL, Duration.ofSeconds(1)));
        assertEquals(session.plannedEnd(), busy.plannedEnd());
        while (Instant.now().isBefore(session.plannedEnd())) {
          Thread.sleep(50); // the session samples meanwhile; how much is not asserted here
        }
        profile = session.profile();
      }
      assertTrue(AsyncProfilerEngine.runningUntil().isEmpty(), "closing frees the slot");
      long copier =
          profile.samples().entrySet().stream()
              .filter(e -> "copier-1".equals(e.getKey().labels().get("thread")))
              .filter(e -> e.getKey().stack().stream().anyMatch(f -> f.kind() == StackProfile.FrameKind.JAVA && f.function().equals("io.github.livetrace.testing.Workload.copyArrays")))
              .mapToLong(e -> e.getValue()[1])
              .sum();
      assertTrue(copier > 0, "no CPU time for the copier's Java frame, by its thread: " + profile.samples().keySet());
      assertEquals(10_000_000, profile.period());
    }
  }

  /**
   * On JDK 25, async-profiler sampling with SIGPROF left JFR's CPU-time sampler (jdk.CPUTimeSample)
   * silent for the rest of the JVM's life when it started first. In a fresh JVM: async-profiler
   * first, then JFR's CPU profile.
   */
  @Test
  void jfrsCpuProfileStillSamplesAfterAnAsyncProfilerSession() {
    ChildJvm.Result result = ChildJvm.run(List.of(), Map.of(), AsyncProfilerThenJfr.class);
    assertEquals(0, result.exitCode(), result.output());
    long samples = Long.parseLong(result.output().replaceAll("(?s).*jfr samples=(\\d+).*", "$1"));
    assertTrue(samples > 20, result.output());
  }

  /** Runs a CPU session of async-profiler, then JFR's CPU profile; prints JFR's sample count. */
  public static final class AsyncProfilerThenJfr {
    public static void main(String[] args) throws Exception {
      try (Workload w = new Workload().start("burner", 1, Workload::burnCpu)) {
        if (AsyncProfilerEngine.load(Choice.AUTO).isPresent()) {
          throw new IllegalStateException("async-profiler did not load");
        }
        try (RecordedProfile p = AsyncProfilerEngine.start(Mode.CPU, Duration.ofSeconds(1))) {
          Thread.sleep(1000);
          p.stop();
        }
        try (ProfileRecording jfr = ProfileRecording.start(ProfileKind.CPU, Duration.ofMillis(1500))) {
          Thread.sleep(1500);
          System.out.println("jfr samples=" + jfr.profile().total(0));
        }
      }
    }
  }
}
