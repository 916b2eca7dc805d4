package io.github.livetrace.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.TraceContents;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Observation bridge alone, with a plain {@link ObservationRegistry} and a real trace. */
class LivetraceObservationHandlerTest {
  private final ObservationRegistry registry = ObservationRegistry.create();

  LivetraceObservationHandlerTest() {
    registry.observationConfig().observationHandler(new LivetraceObservationHandler());
  }

  @AfterEach
  void stopTrace() {
    Trace.stop();
  }

  private static ByteArrayOutputStream startTrace() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)));
    return out;
  }

  @Test
  @SuppressWarnings("try") // scopes are there for their side effect on the thread
  void observationsBecomeTasksScopesRegionsAndEventsLogs() throws Exception {
    ByteArrayOutputStream out = startTrace();
    Observation checkout = Observation.start("checkout", registry);
    Task checkoutTask = LivetraceObservationHandler.taskOf(checkout.getContext());
    Observation payment;
    try (Observation.Scope scope = checkout.openScope()) {
      assertEquals(checkoutTask, Task.current(), "the scope did not make the task current");
      Trace.log("app", "inside checkout");
      payment =
          Observation.createNotStarted("payment", registry)
              .contextualName("pay order 42")
              .lowCardinalityKeyValue("outcome", "declined")
              .highCardinalityKeyValue("http.url", "https://ann:secret@bank.example/pay?card=4111#top")
              .start();
      payment.event(Observation.Event.of("retry", "retry 1"));
      payment.error(new IllegalStateException("card 4111 declined"));
      payment.stop();
    }
    assertEquals(0, Task.current().id(), "closing the scope did not restore the thread");

    // A child started on another thread, where no task is current: the parent comes from the
    // parent observation, not from the thread.
    AtomicLong workerTask = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                Observation shipping =
                    Observation.createNotStarted("shipping", registry).parentObservation(checkout).start();
                try (Observation.Scope scope = shipping.openScope()) {
                  workerTask.set(Task.current().id());
                  Trace.log("app", "on the worker");
                }
                shipping.stop();
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    worker.start();
    worker.join();
    assertNull(failure.get());
    checkout.stop();
    Trace.stop();

    TraceContents trace = new TraceContents(out.toByteArray());
    long checkoutId = checkoutTask.id();
    long paymentId = LivetraceObservationHandler.taskOf(payment.getContext()).id();
    assertEquals("checkout", trace.typeOf(checkoutId));
    assertEquals("payment", trace.typeOf(paymentId));
    assertEquals("shipping", trace.typeOf(workerTask.get()));
    assertEquals(checkoutId, trace.parentOf(paymentId));
    assertEquals(checkoutId, trace.parentOf(workerTask.get()));
    assertTrue(trace.ended(checkoutId) && trace.ended(paymentId) && trace.ended(workerTask.get()));

    assertTrue(trace.hasRegion(checkoutId, "checkout"));
    assertTrue(trace.hasRegion(workerTask.get(), "shipping"));
    assertFalse(trace.hasRegion(paymentId, "payment"), "payment never opened a scope");

    assertTrue(trace.hasLog(checkoutId, "app", "inside checkout"));
    assertTrue(trace.hasLog(workerTask.get(), "app", "on the worker"));
    assertTrue(trace.hasLog(paymentId, "retry", "retry 1"));
    assertTrue(trace.hasLog(paymentId, "payment", "error java.lang.IllegalStateException"));
    assertTrue(
        trace.hasLog(paymentId, "payment", "pay order 42 outcome=declined http.url=https://bank.example/pay"),
        "stop summary: " + trace.logs());
    assertTrue(trace.logs().stream().noneMatch(e -> e.getString("message").contains("4111")), "a card number leaked");
    assertTrue(trace.logs().stream().noneMatch(e -> e.getString("message").contains("secret")), "a password leaked");
  }

  @Test
  void aResetScopeEndsEveryScopeOnTheThread() {
    ByteArrayOutputStream out = startTrace();
    Observation outer = Observation.start("outer", registry);
    Observation inner = Observation.start("inner", registry);
    outer.openScope();
    Observation.Scope innerScope = inner.openScope();
    assertEquals(LivetraceObservationHandler.taskOf(inner.getContext()), Task.current());
    innerScope.reset();
    assertEquals(0, Task.current().id(), "the reset left a task current");
    inner.stop();
    outer.stop();
    Trace.stop();

    TraceContents trace = new TraceContents(out.toByteArray());
    assertTrue(trace.hasRegion(LivetraceObservationHandler.taskOf(outer.getContext()).id(), "outer"));
    assertTrue(trace.hasRegion(LivetraceObservationHandler.taskOf(inner.getContext()).id(), "inner"));
  }

  @Test
  void tasksExistWithoutATraceSoThatATraceMayBeginMidRequest() {
    Observation request = Observation.start("request", registry);
    Task task = LivetraceObservationHandler.taskOf(request.getContext());
    assertNotNull(task);
    assertEquals("request", task.type());
    assertFalse(task.isEnded());
    request.stop();
    assertTrue(task.isEnded());
  }

  @Test
  void credentialsAreCutFromUriLikeValues() {
    assertEquals("/orders/7", LivetraceObservationHandler.withoutCredentials("/orders/7?token=abc"));
    assertEquals("http://host:8080/a", LivetraceObservationHandler.withoutCredentials("http://u:p@host:8080/a#f"));
    assertEquals("https://host", LivetraceObservationHandler.withoutCredentials("https://u@host?x=1"));
    assertEquals("GET", LivetraceObservationHandler.withoutCredentials("GET"));
    assertEquals("a?b", LivetraceObservationHandler.withoutCredentials("a?b"));
    assertEquals("", LivetraceObservationHandler.withoutCredentials(null));
  }
}
