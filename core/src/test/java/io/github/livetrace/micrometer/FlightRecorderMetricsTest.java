package io.github.livetrace.micrometer;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flight recorder's meters follow a real flight recorder. */
class FlightRecorderMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LivetraceMetrics metrics = new LivetraceMetrics();
  private FlightRecorder recorder;

  @TempDir Path snapshots;

  @AfterEach
  void cleanUp() {
    metrics.close();
    if (recorder != null) {
      recorder.stop();
    }
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void snapshotsSkipsActivityAndWindowBytes() throws Exception {
    metrics.bindTo(registry);
    double written = counter("livetrace.flightrecorder.snapshots", "reason", "application");
    double slow = counter("livetrace.flightrecorder.snapshots", "reason", "slow_task");
    double skipped = counter("livetrace.flightrecorder.snapshots.skipped", "cause", "min_interval");
    counter("livetrace.flightrecorder.failed", "reason", "recording_closed"); // registered

    recorder =
        new FlightRecorder(
            FlightRecorderOptions.defaults().withMinAge(Duration.ofSeconds(1)).withSnapshotDirectory(snapshots).withSnapshotDelay(Duration.ZERO));
    recorder.start();
    assertEquals(1.0, gauge("livetrace.flightrecorder.active"));
    assertTrue(eventually(30, () -> gauge("livetrace.flightrecorder.window.size") > 0), "no window bytes");

    recorder.snapshot("metrics test").get(60, TimeUnit.SECONDS);
    assertTrue(recorder.snapshot("too soon").isCompletedExceptionally());
    assertEquals(written + 1, counter("livetrace.flightrecorder.snapshots", "reason", "application"));
    assertEquals(slow, counter("livetrace.flightrecorder.snapshots", "reason", "slow_task"));
    assertEquals(skipped + 1, counter("livetrace.flightrecorder.snapshots.skipped", "cause", "min_interval"));

    recorder.stop();
    assertEquals(0.0, gauge("livetrace.flightrecorder.active"));
    assertEquals(0.0, gauge("livetrace.flightrecorder.window.size"));
  }
}
