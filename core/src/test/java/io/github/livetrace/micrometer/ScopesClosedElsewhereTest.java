package io.github.livetrace.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.TraceContents;
import io.github.livetrace.testing.TraceFiles;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Micrometer lets an observation's scope be closed on another thread than the one that opened it
 * (async handlers, {@code CompletionStage} methods, reactive code). Whatever the order or thread
 * of closing, what livetrace keeps per thread stays bounded and is let go of, the misuse is
 * reported under the right name, and the well-behaved observations around it stay correct.
 */
class ScopesClosedElsewhereTest {
  private final ObservationRegistry registry = ObservationRegistry.create();

  ScopesClosedElsewhereTest() {
    registry.observationConfig().observationHandler(new LivetraceObservationHandler());
  }

  @AfterEach
  void stopTrace() {
    Trace.stop();
  }

  @Test
  void aMillionScopesClosedOnAnotherThreadFitInASmallHeap() {
    ChildJvm.Result result = ChildJvm.run(List.of("-Xmx64m"), Map.of(), MillionScopes.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("done 1000000"), result.output());
  }

  /**
   * Opens a million observation scopes, task scopes and regions on one thread and closes each on
   * another, in batches, with no trace and then with one; prints the live heap at the end.
   */
  public static final class MillionScopes {
    public static void main(String[] args) throws Exception {
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(new LivetraceObservationHandler());
      ExecutorService other = Executors.newSingleThreadExecutor();
      int batch = 1000;
      int total = 1_000_000;
      for (int done = 0; done < total; done += batch) {
        if (done == total / 2) {
          Trace.start(ByteArrayOutputStream.nullOutputStream());
        }
        List<Observation.Scope> observationScopes = new ArrayList<>(batch);
        List<Task.Scope> taskScopes = new ArrayList<>(batch);
        List<Region> regions = new ArrayList<>(batch);
        List<Observation> observations = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
          Observation o = Observation.start("async.request", registry);
          observations.add(o);
          observationScopes.add(o.openScope());
          taskScopes.add(Trace.newTask("async.task").makeCurrent());
          regions.add(Trace.startRegion("async.region"));
        }
        other
            .submit(
                () -> {
                  for (int i = batch - 1; i >= 0; i--) {
                    regions.get(i).end();
                    taskScopes.get(i).close();
                    observationScopes.get(i).close();
                    observations.get(i).stop();
                  }
                })
            .get();
        // What context propagation does when a pooled thread is handed back: Micrometer's own
        // thread-local goes back to no scope, without telling handlers. (Without it, Micrometer's
        // own chain of scopes on this thread would grow.)
        registry.setCurrentObservationScope(null);
        Task.current(); // the opening thread looks again, as any later request would
      }
      Trace.stop();
      other.shutdown();
      if (Task.current().id() != 0) {
        throw new AssertionError("a task stayed current: " + Task.current());
      }
      System.gc();
      long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      System.out.println("done " + total + ", live heap " + used / 1024 + " KB");
    }
  }

  @Test
  @SuppressWarnings("try")
  void aChildClosedElsewhereIsReportedAsItselfAndTheParentStaysCorrect() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)));
    ExecutorService other = Executors.newSingleThreadExecutor();
    long misuseBefore = Trace.misuseCount();
    Observation parent = Observation.start("parent.request", registry);
    Observation child;
    Observation after;
    try (Observation.Scope parentScope = parent.openScope()) {
      child = Observation.createNotStarted("child.callback", registry).parentObservation(parent).start();
      Observation.Scope childScope = child.openScope();
      Future<?> closed = other.submit(childScope::close); // the async callback ends it elsewhere
      closed.get();
      child.stop();
    }
    parent.stop();
    assertEquals(0, Task.current().id(), "the thread let go of both tasks");
    after = Observation.start("after.request", registry);
    try (Observation.Scope s = after.openScope()) {
      Trace.log("app", "in the well-behaved one");
    }
    after.stop();
    other.shutdown();
    Trace.stop();

    assertEquals(2, Trace.misuseCount() - misuseBefore, "the child's region and scope, nothing of the parent");
    byte[] trace = out.toByteArray();
    TraceContents contents = new TraceContents(trace);
    long parentId = LivetraceObservationHandler.taskOf(parent.getContext()).id();
    long childId = LivetraceObservationHandler.taskOf(child.getContext()).id();
    long afterId = LivetraceObservationHandler.taskOf(after.getContext()).id();
    assertTrue(contents.hasRegion(parentId, "parent.request"));
    assertFalse(contents.hasRegion(childId, "child.callback"), "a region ended on another thread is not recorded");
    assertTrue(contents.hasRegion(afterId, "after.request"));
    assertEquals(0, contents.parentOf(afterId), "the child's task did not stay current");
    assertTrue(contents.hasLog(afterId, "app", "in the well-behaved one"));

    List<RecordedEvent> misuse = TraceFiles.events(trace, "livetrace.Misuse");
    Set<String> kinds = misuse.stream().map(e -> e.getString("kind")).collect(Collectors.toSet());
    assertEquals(Set.of("region-ended-on-other-thread", "scope-closed-on-other-thread"), kinds);
    assertTrue(misuse.stream().allMatch(e -> e.getString("message").contains("child.callback")), "blamed on another: " + misuse);
  }
}
