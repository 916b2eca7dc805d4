package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder.StartRefusal;
import io.github.livetrace.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FlightRecorder#startWhenPossible()}: what an operator configured and JFR refuses is kept
 * and said, waited out when it can pass, and given up when it cannot.
 */
class FlightRecorderStartWhenPossibleTest {
  @TempDir Path store;

  private FlightRecorder recorder() {
    return new FlightRecorder(FlightRecorderOptions.defaults().withSnapshotDirectory(store));
  }

  @Test
  void waitsForTheRecordingOfSecretsToStopThenStarts() throws Exception {
    Trace.warmUp().get(120, TimeUnit.SECONDS);
    FlightRecorder recorder = recorder();
    try (Recording leaky = new Recording()) {
      leaky.enable("jdk.InitialEnvironmentVariable");
      leaky.start();
      assertFalse(recorder.startWhenPossible());
      StartRefusal why = recorder.startRefusal().orElseThrow();
      assertEquals(StartRefusal.Reason.SENSITIVE_EVENTS, why.reason());
      assertTrue(why.waiting());
      assertTrue(why.message().contains("jdk.InitialEnvironmentVariable (recording " + leaky.getId()), why.message());
      assertSame(recorder, FlightRecorder.current().orElseThrow(), "the servlet must find the refused one");
      assertTrue(recorder.toString().contains("waiting"), recorder.toString());

      Recording unrelated = new Recording(); // a recording that starts and stops changes nothing
      unrelated.start();
      unrelated.close();
      assertFalse(recorder.isEnabled());

      leaky.close();
      assertTrue(eventually(60, recorder::isEnabled), "it did not start once the other recording closed");
      assertTrue(recorder.startRefusal().isEmpty());
    } finally {
      recorder.stop();
    }
  }

  @Test
  void stopEndsTheWait() throws Exception {
    Trace.warmUp().get(120, TimeUnit.SECONDS);
    FlightRecorder waiting = recorder();
    FlightRecorder next = recorder();
    try {
      try (Recording leaky = new Recording()) {
        leaky.enable("jdk.InitialSystemProperty");
        leaky.start();
        assertFalse(waiting.startWhenPossible());
        waiting.stop();
        assertTrue(waiting.startRefusal().isEmpty(), "stopped: nothing to wait for");
      }
      // Had the stopped one still waited, it would have started when the other recording closed,
      // and this start would be refused as a second flight recorder.
      next.start();
      assertFalse(waiting.isEnabled());
    } finally {
      next.stop();
      waiting.stop();
    }
  }

  @Test
  void withAnotherFlightRecorderRunningItSaysSoAndDoesNotWait() {
    FlightRecorder first = recorder();
    FlightRecorder second = recorder();
    first.start();
    try {
      assertFalse(second.startWhenPossible());
      StartRefusal why = second.startRefusal().orElseThrow();
      assertEquals(StartRefusal.Reason.ANOTHER_RUNNING, why.reason());
      assertFalse(why.waiting());
      assertSame(first, FlightRecorder.current().orElseThrow(), "the running one is still the one served");
    } finally {
      first.stop();
      second.stop();
    }
  }

  @Test
  void withoutJfrItWillNotStartAndSaysSoOnce() {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder"), Map.of(), NoJfr.class, store.toString());
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("started=false reason=JFR_UNAVAILABLE waiting=false"), result.output());
    assertEquals(1, result.output().split("livetrace: the flight recorder did not start: JDK Flight Recorder is not available", -1).length - 1, result.output());
    assertTrue(result.output().contains("-XX:-FlightRecorder; remove that option") && result.output().contains("It will not start in this JVM"), result.output());
  }

  /** Asks for a flight recorder in a JVM without JFR; java.util.logging prints the warning on stderr. */
  public static final class NoJfr {
    public static void main(String[] args) {
      FlightRecorder recorder = new FlightRecorder(FlightRecorderOptions.defaults().withSnapshotDirectory(Path.of(args[0]).resolve("child")));
      boolean started = recorder.startWhenPossible();
      StartRefusal why = recorder.startRefusal().orElseThrow();
      System.out.println("started=" + started + " reason=" + why.reason() + " waiting=" + why.waiting());
      recorder.stop();
    }
  }
}
