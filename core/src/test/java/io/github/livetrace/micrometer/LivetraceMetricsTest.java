package io.github.livetrace.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LivetraceMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LivetraceMetrics metrics = new LivetraceMetrics().withMaxTaskTypes(2);

  @AfterEach
  void cleanUp() {
    metrics.close();
    Trace.stop();
  }

  @Test
  void countsTracesRejectionsBytesAndTimesTasks() {
    metrics.bindTo(registry);
    double started = registry.get("livetrace.traces.started").functionCounter().count();
    double busy = registry.get("livetrace.traces.rejected").tag("reason", "busy").functionCounter().count();

    TraceSession session = Trace.start(new ByteArrayOutputStream());
    assertEquals(1.0, registry.get("livetrace.traces.active").gauge().value());
    assertThrows(IllegalStateException.class, () -> Trace.start(new ByteArrayOutputStream()));
    Trace.newTask("order").end();
    Trace.newTask("order").end();
    Trace.newTask("refund").end();
    Trace.newTask("third-type").end();
    Trace.stop();

    assertEquals(0.0, registry.get("livetrace.traces.active").gauge().value());
    assertEquals(started + 1, registry.get("livetrace.traces.started").functionCounter().count());
    assertEquals(busy + 1, registry.get("livetrace.traces.rejected").tag("reason", "busy").functionCounter().count());
    assertTrue(registry.get("livetrace.traces.streamed").functionCounter().count() >= session.bytesWritten());
    assertEquals(2, registry.get("livetrace.task").tag("type", "order").timer().count());
    assertEquals(1, registry.get("livetrace.task").tag("type", "refund").timer().count());
    assertEquals(1, registry.get("livetrace.task").tag("type", "other").timer().count(), "types over the cap");
  }

  @Test
  void countsTracesLivetraceCutShortByReasonButNotClientsThatLeft() throws Exception {
    metrics.bindTo(registry);
    double closed = registry.get("livetrace.traces.failed").tag("reason", "recording_closed").functionCounter().count();
    assertTrue(registry.find("livetrace.traces.failed").tag("reason", "output").functionCounter() == null);

    TraceSession session = Trace.start(new ByteArrayOutputStream());
    jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
        .filter(r -> r.getName().equals("livetrace"))
        .forEach(jdk.jfr.Recording::stop); // from outside, as jcmd JFR.stop does
    assertTrue(session.awaitTermination(java.time.Duration.ofSeconds(60)));
    assertEquals(closed + 1, registry.get("livetrace.traces.failed").tag("reason", "recording_closed").functionCounter().count());
  }

  @Test
  void closedBinderStopsTimingTasks() {
    metrics.bindTo(registry);
    Trace.newTask("before").end();
    metrics.close();
    Trace.newTask("before").end();
    assertEquals(1, registry.get("livetrace.task").tag("type", "before").timer().count());
  }
}
