package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.GoPprof.Raw;
import io.github.livetrace.testing.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livetrace pprof} on a trace recorded with the JDK's profile settings around threads that
 * each do one thing, read back with {@code go tool pprof}.
 */
class PprofCommandTest {
  @TempDir static Path dir;
  private static Path trace;

  @BeforeAll
  static void record() throws Exception {
    // JFR's one-time start-up (its first recording instruments JDK classes; on JDK 25 through the
    // class-file API, gigabytes of sampled allocation weight) is paid before, not inside, the trace
    // whose profiles these tests read, as the servlet and the starter pay it at start-up.
    io.github.livetrace.Trace.warmUp().get(120, java.util.concurrent.TimeUnit.SECONDS);
    try (Workload w =
        new Workload()
            .start("burner", 1, Workload::burnCpu)
            .start("allocator", 1, Workload::allocateArrays)
            .start("contender", 3, Workload::enterMonitor)) {
      // Long enough for the profile settings to sample every kind a few hundred times. On a fresh
      // thread: jdk.ObjectAllocationSample weighs a thread's first sample with all it allocated
      // since sampling was last on, and this JVM's main thread has run other tests' work (gigabytes).
      java.util.concurrent.FutureTask<byte[]> recording =
          new java.util.concurrent.FutureTask<>(
              () -> Recordings.recordChunks(TraceOptions.defaults().withConfiguration("profile"), 3, () -> Recordings.work(50)));
      new Thread(recording, "recording").start();
      trace = Files.write(dir.resolve("trace.jfr"), recording.get(5, java.util.concurrent.TimeUnit.MINUTES));
    }
  }

  private static Raw pprof(String type) {
    Path out = dir.resolve(type + ".pb.gz");
    Cli.Run run = Cli.run("pprof", trace.toString(), "--type", type, "-o", out.toString()).ok();
    assertTrue(run.out().startsWith("wrote " + out + " ("), run.out());
    return GoPprof.raw(out.toString());
  }

  @Test
  void cpuProfileOfATraceHoldsCpuSamplesAndTheBurningMethodDominates() {
    Raw raw = pprof("cpu");
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), raw.sampleTypes());
    long burning = raw.total("cpu/nanoseconds", "Workload.burnCpu");
    assertTrue(burning > raw.total("cpu/nanoseconds") / 2, "burnCpu has " + burning + ":" + raw.top("cpu/nanoseconds"));
    assertEquals("cpu nanoseconds", raw.periodType());
    // The profile settings sample Java code every 10 ms; livetrace's trace leaves jdk.ActiveSetting
    // out, and livetrace.JVM says the period instead.
    assertEquals(10_000_000, raw.period(), raw.comments().toString());
    assertTrue(raw.comments().get(0).startsWith("jdk.ExecutionSample every 10ms (the recording's setting, as livetrace.JVM gives it)"), raw.comments().toString());
    assertEquals(Runtime.version().feature() < 25, raw.comments().stream().anyMatch(c -> c.startsWith("recorded on JDK " + Runtime.version().feature() + ": ")), raw.comments().toString());
  }

  /** A recording that says its settings (jdk.ActiveSetting, as the JDK's own jfc files enable) gives its period. */
  @Test
  void cpuSamplePeriodIsReadFromTheRecordingAndJdkExecutionSampleBefore25IsFlagged() throws Exception {
    Path file = dir.resolve("jdk-profile.jfr");
    try (Workload w = new Workload().start("burner", 1, Workload::burnCpu);
        jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
      recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(7)); // not the estimate's usual 10
      recording.start();
      Thread.sleep(1500); // the workload burns CPU meanwhile; the amount is not asserted
      recording.stop();
      recording.dump(file);
    }
    Path out = dir.resolve("jdk-profile.pb.gz");
    Cli.Run run = Cli.run("pprof", file.toString(), "--type", "cpu", "-o", out.toString()).ok();
    Raw raw = GoPprof.raw(out.toString());
    if (raw.comments().get(0).startsWith("jdk.CPUTimeSample")) {
      return; // a JVM whose profile settings enable jdk.CPUTimeSample: its samples carry their period
    }
    assertEquals(7_000_000, raw.period(), raw.comments().toString());
    assertTrue(run.out().contains("jdk.ExecutionSample every 7ms (the recording's setting)"), run.out());
    assertEquals(Runtime.version().feature() < 25, run.out().contains("recorded on JDK " + Runtime.version().feature()
        + ": jdk.ExecutionSample drops every sample of a thread in a stub, an intrinsic or a VM leaf call"), run.out());
  }

  @Test
  void allocAndMutexProfilesOfATrace() {
    Raw alloc = pprof("alloc");
    assertEquals(List.of("samples/count", "alloc_space/bytes"), alloc.sampleTypes());
    long allocating = alloc.total("alloc_space/bytes", "Workload.allocateArrays");
    assertTrue(allocating > alloc.total("alloc_space/bytes") / 2, "allocateArrays has " + allocating + ":" + alloc.top("alloc_space/bytes"));

    Raw mutex = pprof("mutex");
    assertEquals(List.of("contentions/count", "delay/nanoseconds"), mutex.sampleTypes());
    long contended = mutex.total("delay/nanoseconds", "Workload.enterMonitor");
    assertTrue(contended > mutex.total("delay/nanoseconds") / 2, "enterMonitor has " + contended + ":" + mutex.top("delay/nanoseconds"));

    Raw block = pprof("block");
    assertTrue(block.total("delay/nanoseconds", "Workload.enterMonitor") > 0, block.top("delay/nanoseconds"));
    // Sleeps by their event: JDK 25's jdk.ThreadSleep stacks start at Thread.sleep's caller.
    assertTrue(
        block.samples().stream()
            .anyMatch(s -> "jdk.ThreadSleep".equals(s.labels().get("event")) && s.stack().stream().anyMatch(f -> f.endsWith("Recordings.work"))),
        block.top("delay/nanoseconds"));
  }

  @Test
  void flameGraphAndCollapsedStacks() throws Exception {
    Path html = dir.resolve("cpu.html");
    Cli.run("pprof", trace.toString(), "--type", "cpu", "--format", "html", "-o", html.toString()).ok();
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<h1>CPU (jdk.ExecutionSample, every 10ms)"), page.substring(0, 1500));
    assertTrue(page.contains("burnCpu"), "the hot method is in the page (its names are stored prefix-compressed)");

    Path collapsed = dir.resolve("alloc.txt");
    Cli.run("pprof", trace.toString(), "--type", "alloc", "--format", "collapsed", "-o", collapsed.toString()).ok();
    assertTrue(
        Files.readAllLines(collapsed).stream().anyMatch(l -> l.matches(".*;io\\.github\\.livetrace\\.testing\\.Workload\\.allocateArrays;long\\[\\] \\d+")),
        "root first, the allocated class as the leaf, bytes");
  }

  @Test
  void aTraceWithoutTheEventsGivesAnEmptyProfileAndSaysWhy() throws Exception {
    byte[] bytes =
        Recordings.record(
            TraceOptions.defaults().withSetting("jdk.JavaMonitorEnter#enabled", "false").withSetting("jdk.ThreadPark#enabled", "false"),
            () -> Recordings.work(300));
    Path quiet = Files.write(dir.resolve("quiet.jfr"), bytes);
    Path out = dir.resolve("quiet.pb.gz");
    Cli.Run run = Cli.run("pprof", quiet.toString(), "--type", "mutex", "-o", out.toString()).ok();
    assertTrue(run.out().contains("no samples: the trace has none of jdk.JavaMonitorEnter, jdk.ThreadPark"), run.out());
    assertTrue(GoPprof.raw(out.toString()).samples().isEmpty());
  }

  @Test
  void badInputIsOneLineAndExitStatus2AndLeavesNoOutput() throws Exception {
    Path out = dir.resolve("bad.pb.gz");
    String missing = Cli.run("pprof", dir.resolve("missing.jfr").toString(), "--type", "cpu", "-o", out.toString()).badInput();
    assertTrue(missing.contains("missing.jfr") && missing.contains("no such file"), missing);

    byte[] whole = Files.readAllBytes(trace);
    Path cut = Files.write(dir.resolve("cut.jfr"), Arrays.copyOf(whole, whole.length - 1000));
    String cutLine = Cli.run("pprof", cut.toString(), "--type", "cpu", "-o", out.toString()).badInput();
    assertTrue(cutLine.contains("cut.jfr") && cutLine.contains("repair"), cutLine);

    String type = Cli.run("pprof", trace.toString(), "--type", "heap", "-o", out.toString()).badInput();
    assertTrue(type.contains("--type") && type.contains("CPU, ALLOC, MUTEX, BLOCK"), type);

    String format = Cli.run("pprof", trace.toString(), "--type", "cpu", "--format", "svg", "-o", out.toString()).badInput();
    assertTrue(format.contains("--format") && format.contains("PPROF, HTML, COLLAPSED"), format);

    String noDir = Cli.run("pprof", trace.toString(), "--type", "cpu", "-o", dir.resolve("no/such/dir/x.pb.gz").toString()).badInput();
    assertTrue(noDir.contains("does not exist"), noDir);
    assertFalse(Files.exists(out), "nothing written for bad input");
  }
}
