package io.github.livetrace.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/**
 * Pays JFR's one-time costs before anyone asks for a trace. The first recording of a JVM takes
 * seconds to start on a busy machine: JFR initializes (its repository, threads and metadata),
 * registers and instruments the event classes (livetrace's and the JDK's I/O events, whose
 * classes are retransformed), and the first snapshot and chunk read load their classes. The
 * warm-up goes through the same path a trace takes, once, on a background thread: a recording
 * with livetrace's settings, one event of each livetrace type, a rotation and a read of the
 * chunk, then stop and close. Nothing of it is left: no recording, no chunk file, no thread.
 */
public final class WarmUp {
  private static final AtomicReference<CompletableFuture<Void>> DONE = new AtomicReference<>();

  private WarmUp() {}

  /** Starts the warm-up once per JVM; later calls return the same future. */
  public static CompletableFuture<Void> start() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (!DONE.compareAndSet(null, future)) {
      return DONE.get();
    }
    if (!Jfr.PRESENT || !FlightRecorder.isAvailable()) {
      future.complete(null); // nothing to warm; Trace.start says why when asked
      return future;
    }
    Thread thread = new Thread(() -> run(future), "livetrace-warm-up");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY); // behind the application's own start-up work
    thread.start();
    return future;
  }

  private static void run(CompletableFuture<Void> future) {
    try (Recording recording = new Recording(RecordingSettings.build("default", Map.of()))) {
      recording.setName("livetrace warm-up");
      recording.setToDisk(true);
      recording.start();
      RecordingSettings.sensitiveEventTypeIds();
      // Loading the event classes registers and instruments them; nothing is committed, since a
      // trace may have started meanwhile and must not get empty events.
      new TaskBeginEvent().isEnabled();
      new TaskEndEvent().isEnabled();
      new RegionEvent().isEnabled();
      new LogEvent().isEnabled();
      new MisuseEvent().isEnabled();
      try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
        new ChunkReader().scan(snapshot, 0, RecordingSettings.sensitiveEventTypeIds());
      }
      recording.stop();
      future.complete(null);
    } catch (Throwable t) {
      // A failed warm-up costs only time: the first trace then pays it, and reports any error.
      future.completeExceptionally(t);
    }
  }
}
