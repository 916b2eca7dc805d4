package io.github.livetrace.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.pprof.StackProfile;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The profiles {@link TraceProfiles} keeps from its one reading of a trace are, kind by kind and
 * type by type, the ones a reading of its own gives ({@link TaskSpans#ofType} and every chunk, as
 * {@code /flame} read them before): on a real trace of many chunks, whose tasks of two types run on
 * two threads, burn CPU, allocate and contend a lock.
 */
class TraceProfilesTest {
  private static Path file;
  private static Fleet fleet;
  private static TraceProfiles profiles;

  @BeforeAll
  static void recordAndRead() throws Exception {
    ExecutorService pool = Task.propagating(Executors.newFixedThreadPool(1));
    ReentrantLock till = new ReentrantLock();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100))
        .withSetting("jdk.ExecutionSample#period", "10 ms").withSetting("jdk.ThreadPark#threshold", "0 ms"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      for (int n = 0; n < 60 || session.chunksWritten() < 8 && System.nanoTime() < deadline; n++) {
        Task task = Trace.newTask(n % 2 == 0 ? "brew" : "pour");
        try (Task.Scope scope = task.makeCurrent()) {
          Future<?> job;
          till.lock();
          try {
            // A region on the pool's thread, which waits for the till meanwhile.
            job = pool.submit(() -> Trace.withRegion("grind", () -> {
              till.lock();
              till.unlock();
              spin(2);
            }));
            try (Region region = Trace.startRegion("heat")) {
              spin(n % 2 == 0 ? 8 : 3);
            }
          } finally {
            till.unlock();
          }
          job.get(30, TimeUnit.SECONDS);
        } finally {
          task.end();
        }
        spin(2); // outside any task
      }
    } finally {
      Trace.stop();
      pool.shutdown();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    file = TraceFiles.write(out.toByteArray());
    fleet = Fleet.open(List.of(file), note -> {});
    profiles = new TraceProfiles(fleet);
    profiles.start();
    assertTrue(profiles.await(120), "the readings ended");
  }

  private static double sink;

  /** Burns CPU for about {@code millis}, allocating as it goes. */
  private static void spin(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      double[] garbage = new double[256];
      for (int i = 0; i < garbage.length; i++) {
        sink += Math.sqrt(i + sink) + garbage[i];
      }
    }
  }

  @Test
  void eachTypesProfilesAreThoseOfAReadingOfItsOwn() throws Exception {
    assertTrue(TraceFiles.chunks(Files.readAllBytes(file)).size() >= 8, "a trace of many chunks");
    TraceProfiles.State state = profiles.state();
    assertTrue(state.done() && state.failure() == null && profiles.keepsTypes(), state.toString());
    for (String type : List.of("brew", "pour")) {
      TaskSpans spans = TaskSpans.ofType(fleet, type);
      assertEquals(0, spans.dropped());
      for (ProfileSamples.Kind kind : ProfileSamples.Kind.values()) {
        StackProfile read = FlamePage.everywhere(fleet, kind, "", fleet.startNanos(), fleet.endNanos(), spans).profile();
        StackProfile kept = profiles.ofType(type, kind);
        assertEquals(samples(read), samples(kept), kind + " of " + type);
        if (kind != ProfileSamples.Kind.ALLOC) { // allocation samples are throttled: a type may have none
          assertTrue(read.total(0) > 0, kind + " of " + type + " has samples");
        }
      }
    }
    for (ProfileSamples.Kind kind : ProfileSamples.Kind.values()) {
      StackProfile read = FlamePage.everywhere(fleet, kind, "", fleet.startNanos(), fleet.endNanos(), null).profile();
      assertEquals(samples(read), samples(profiles.whole(kind)), kind + " of the whole trace");
    }
    // The whole trace has the CPU samples outside the tasks too.
    long inTasks = profiles.ofType("brew", ProfileSamples.Kind.CPU).total(0) + profiles.ofType("pour", ProfileSamples.Kind.CPU).total(0);
    assertTrue(profiles.whole(ProfileSamples.Kind.CPU).total(0) > inTasks, "samples outside the tasks");
  }

  @Test
  void theSpansOfAllTasksTakeAQuarterOfTheHeapAtMost() {
    assertEquals(3 << 20, TaskSpans.maxAllSpans(4L << 30), "2^22 slots, three quarters full");
    assertEquals(3 << 20, TaskSpans.maxAllSpans(604L << 20));
    assertEquals(3 << 18, TaskSpans.maxAllSpans(256L << 20), "2^20 slots: 36 MB of 64");
  }

  /** The samples, with values that compare by content. */
  private static Map<StackProfile.Key, List<Long>> samples(StackProfile profile) {
    Map<StackProfile.Key, List<Long>> samples = new HashMap<>();
    profile.samples().forEach((key, values) -> samples.put(key, Arrays.stream(values).boxed().toList()));
    return samples;
  }
}
