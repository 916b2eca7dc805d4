package io.github.livetrace.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The flight recorder's bean: on only when asked, started with the context and stopped with it
 * leaving nothing behind, never fatal when it cannot start, and no actuator needed.
 */
class FlightRecorderLifecycleTest {
  @TempDir Path store;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LivetraceAutoConfiguration.class))
        .withPropertyValues("livetrace.flight-recorder.snapshots.directory=" + store);
  }

  @Test
  void offUnlessEnabledAndTheEndpointOnlyWhenExposed() {
    runner().run(context -> {
      assertEquals(0, context.getBeanNamesForType(FlightRecorder.class).length);
      assertEquals(0, context.getBeanNamesForType(LivetraceEndpoint.class).length, "not exposed, yet there");
    });
    runner().withPropertyValues("management.endpoints.web.exposure.include=livetrace").run(context -> {
      LivetraceEndpoint endpoint = context.getBean(LivetraceEndpoint.class);
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> flightRecorder = (java.util.Map<String, Object>) endpoint.livetrace().get("flightRecorder");
      String expected =
          FlightRecorder.current().map(r -> r.isEnabled() ? "running" : r.failure().isPresent() ? "failed" : "stopped").orElse("off");
      assertEquals(expected, flightRecorder.get("state"), flightRecorder.toString());
      assertTrue(flightRecorder.containsKey("startTime") == FlightRecorder.current().isPresent(), flightRecorder.toString());
    });
  }

  @Test
  void startsWithTheContextStopsWithItAndNeedsNoActuator() {
    runner()
        .withClassLoader(new FilteredClassLoader(Endpoint.class))
        .withPropertyValues(
            "livetrace.flight-recorder.enabled=true",
            "livetrace.flight-recorder.min-age=1500ms",
            "livetrace.flight-recorder.max-bytes=2MB",
            "livetrace.flight-recorder.snapshots.slow-tasks[lifecycle-test]=1s")
        .run(context -> {
          assertEquals(0, context.getBeanNamesForType(LivetraceEndpoint.class).length);
          FlightRecorder recorder = context.getBean(FlightRecorder.class);
          assertTrue(recorder.isEnabled());
          assertEquals(Duration.ofMillis(1500), recorder.options().minAge());
          assertEquals(2L << 20, recorder.options().maxBytes());
          assertEquals(store, recorder.snapshotDirectory());
          assertEquals(Duration.ofSeconds(1), recorder.slowTasks().get("lifecycle-test"));
        });
    FlightRecorder stopped = FlightRecorder.current().orElseThrow();
    assertFalse(stopped.isEnabled(), "closing the context did not stop the flight recorder");
    assertTrue(jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty(), "a recording was left");
    assertTrue(eventually(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace-flight"))));
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
  }

  @Test
  void aFlightRecorderThatCannotStartIsNotFatalAndSaysWhy() {
    FlightRecorder other = new FlightRecorder(io.github.livetrace.FlightRecorderOptions.defaults().withSnapshotDirectory(store));
    other.start();
    try {
      runner().withPropertyValues("livetrace.flight-recorder.enabled=true").run(context -> {
        assertTrue(context.getStartupFailure() == null, () -> String.valueOf(context.getStartupFailure()));
        FlightRecorder refused = context.getBean(FlightRecorder.class);
        assertFalse(refused.isEnabled());
        // The log line is checked in a real application (FlightRecorderRefusedTest): a bare context
        // does not set up Boot's logging, so java.util.logging's console is not captured here.
        FlightRecorder.StartRefusal why = refused.startRefusal().orElseThrow();
        assertEquals(FlightRecorder.StartRefusal.Reason.ANOTHER_RUNNING, why.reason());
        assertTrue(why.message().contains("a flight recorder is already running"), why.message());
      });
      assertTrue(other.isEnabled(), "the application's flight recorder was stopped");
    } finally {
      other.stop();
    }
  }

  @Test
  void badPropertiesStopTheApplicationNamingTheProperty() {
    for (String bad :
        new String[] {
          "livetrace.flight-recorder.min-age=10ms",
          "livetrace.flight-recorder.max-bytes=10KB",
          "livetrace.flight-recorder.snapshots.max-count=0",
          "livetrace.flight-recorder.snapshots.slow-tasks[http.server.requests]=0s"
        }) {
      runner().withPropertyValues(bad).run(context -> {
        Throwable failure = context.getStartupFailure();
        assertTrue(failure != null, bad + " was accepted");
        String property = bad.substring(0, bad.indexOf('='));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
          messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains(property), bad + ": " + messages);
      });
    }
  }
}
