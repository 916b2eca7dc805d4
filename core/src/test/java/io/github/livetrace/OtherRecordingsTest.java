package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * JFR settings are a union over all recordings, and chunks are shared. An application recording
 * that enables a secret-bearing event would put it in livetrace's trace: livetrace refuses to
 * start, or stops, unless explicitly allowed.
 */
class OtherRecordingsTest {
  private Recording other;

  @AfterEach
  void cleanUp() {
    Trace.stop();
    if (other != null) {
      other.close();
    }
  }

  private void startOtherRecordingWithSystemProperties() {
    other = new Recording(Map.of("jdk.InitialSystemProperty#enabled", "true", "jdk.InitialSystemProperty#period", "beginChunk"));
    other.setName("app-recording");
    other.start();
  }

  @Test
  void refusesToStartWhileAnotherRecordingEnablesSensitiveEvents() {
    startOtherRecordingWithSystemProperties();
    SecurityException e = assertThrows(SecurityException.class, () -> Trace.start(new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("jdk.InitialSystemProperty"), e.getMessage());
    assertTrue(e.getMessage().contains("app-recording"), e.getMessage());
    assertTrue(e.getMessage().contains("withSensitiveEventsFromOtherRecordingsAllowed"), e.getMessage());
    assertFalse(Trace.isEnabled());
  }

  @Test
  void explicitlyAllowedItStartsAndTheEventsDoAppear() {
    startOtherRecordingWithSystemProperties();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out, TraceOptions.defaults().withSensitiveEventsFromOtherRecordingsAllowed(true));
    Trace.stop();
    assertFalse(events(out.toByteArray(), "jdk.InitialSystemProperty").isEmpty(), "the union of settings leaks them");
  }

  @Test
  void aTraceStopsWhenSuchARecordingStartsAndSendsNoneOfItsEvents() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)));
    assertTrue(io.github.livetrace.testing.TraceFiles.eventually(60, () -> session.chunksWritten() >= 1));
    startOtherRecordingWithSystemProperties();
    assertTrue(session.awaitTermination(Duration.ofSeconds(60)), "trace kept running");
    assertEquals(TraceFailure.Reason.SENSITIVE_EVENTS, session.failure().orElseThrow().reason());
    byte[] trace = out.toByteArray();
    assertTrue(session.chunksWritten() >= 1);
    assertEquals(0, events(trace, "jdk.InitialSystemProperty").size());
  }

  @Test
  void anotherRecordingWithoutSensitiveEventsDoesNotMatter() {
    other = new Recording(Map.of("jdk.ThreadSleep#enabled", "true"));
    other.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out);
    Trace.log("x", "y");
    Trace.stop();
    assertEquals(1, events(out.toByteArray(), "livetrace.Log").size());
  }
}
