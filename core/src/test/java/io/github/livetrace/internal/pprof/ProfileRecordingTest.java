package io.github.livetrace.internal.pprof;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.RecordingSettings;
import io.github.livetrace.testing.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real recordings of this JVM, read back. */
class ProfileRecordingTest {
  private final Workload workload = new Workload();

  @AfterEach
  void stopThreads() throws Exception {
    workload.close();
  }

  @Test
  void settingsEnableOnlyTheProfilesEventsAndNeverSecretBearingOnes() {
    for (ProfileKind kind : ProfileKind.values()) {
      Map<String, String> settings = ProfileRecording.settings(kind, false);
      List<String> enabled =
          settings.entrySet().stream()
              .filter(e -> e.getKey().endsWith("#enabled") && e.getValue().equals("true"))
              .map(e -> e.getKey().substring(0, e.getKey().indexOf('#')))
              .sorted()
              .collect(Collectors.toList());
      List<String> expected = new ArrayList<>(kind.events());
      if (kind == ProfileKind.CPU) {
        expected = List.of("jdk.ExecutionSample");
      }
      assertEquals(expected.stream().sorted().collect(Collectors.toList()), enabled, kind.toString());
      for (String sensitive : RecordingSettings.SENSITIVE_EVENTS) {
        assertEquals("false", settings.getOrDefault(sensitive + "#enabled", "false"), sensitive);
      }
    }
    assertEquals("10 ms", ProfileRecording.settings(ProfileKind.CPU, false).get("jdk.ExecutionSample#period"));
    Map<String, String> cpuTime = ProfileRecording.settings(ProfileKind.CPU, true);
    assertEquals("true", cpuTime.get("jdk.CPUTimeSample#enabled"));
    assertEquals("false", cpuTime.getOrDefault("jdk.ExecutionSample#enabled", "false"));
  }

  @Test
  void aCpuProfileOfARecordingThatAlsoSampledNativeCodeHoldsOnlyCpuSamples() throws Exception {
    workload.start("burner", 1, Workload::burnCpu).waitInAccept("acceptor");
    Path file = Files.createTempFile("livetrace-test-", ".jfr");
    try {
      // As a trace with the JDK's default settings records: both samplers, every 20 ms.
      try (Recording trace = new Recording(Configuration.getConfiguration("default"))) {
        trace.start();
        // Both kinds, before it stops: a native sample alone came within 0.15 s on JDK 25 once,
        // before the first CPU sample.
        assertTrue(
            eventually(60, () -> count(trace, "jdk.NativeMethodSample") > 0 && count(trace, "jdk.ExecutionSample", "jdk.CPUTimeSample") > 0),
            "no thread was sampled in native code, or none running");
        trace.stop();
        trace.dump(file);
      }
      StackProfile cpu = JfrProfileReader.read(file, ProfileKind.CPU, OptionalLong.empty());
      assertTrue(cpu.total(0) > 0, "no CPU sample");
      assertTrue(
          cpu.samples().keySet().stream().noneMatch(k -> k.stack().stream().anyMatch(f -> f.function().endsWith("acceptConnection"))),
          "a thread waiting in accept() is in the CPU profile");
      if (cpu.title().contains("ExecutionSample")) {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), cpu.period(), "the default settings' period, estimated: " + cpu.comments());
      }
    } finally {
      Files.delete(file);
    }
  }

  /** Dumps the running recording to count its events of the given types; the recording keeps running. */
  private static long count(Recording r, String... types) {
    try {
      Path f = Files.createTempFile("livetrace-test-", ".jfr");
      try {
        r.dump(f);
        return io.github.livetrace.testing.TraceFiles.events(Files.readAllBytes(f)).stream()
            .filter(e -> List.of(types).contains(e.getEventType().getName()))
            .count();
      } finally {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void closingLeavesNoRecordingChunkFileOrDump() throws Exception {
    workload.start("burner", 1, Workload::burnCpu);
    for (ProfileKind kind : ProfileKind.values()) {
      try (ProfileRecording r = ProfileRecording.start(kind, Duration.ofMillis(300))) {
        assertTrue(FlightRecorder.getFlightRecorder().getRecordings().stream().anyMatch(x -> x.getName().equals("livetrace " + kind.path())));
        Thread.sleep(300); // the profile's own duration, not synchronisation
        r.stop();
        StackProfile p = r.profile();
        assertTrue(p.durationNanos() > 0, kind + " covers no time");
      }
    }
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().stream().noneMatch(r -> r.getName().startsWith("livetrace ")));
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "chunk files left: " + repositoryChunkFiles());
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      List<Path> dumps = files.filter(f -> f.getFileName().toString().matches("livetrace-(profile|allocs|heap|mutex|block)-.*\\.jfr")).collect(Collectors.toList());
      assertEquals(List.of(), dumps);
    }
  }
}
