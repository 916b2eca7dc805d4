package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder.Snapshot;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.FlightRecorderStats;
import io.github.livetrace.internal.FlightRecorderStats.Skip;
import io.github.livetrace.internal.FlightRecorderStats.Trigger;
import io.github.livetrace.internal.SnapshotStore;
import io.github.livetrace.testing.TraceContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots on slow tasks and on the application's request, and the store that keeps them. */
class FlightRecorderSnapshotsTest {
  private static final String SLOW = "flight-recorder-slow-operation";

  @TempDir Path temp;

  private FlightRecorder recorder;

  @AfterEach
  void cleanUp() {
    if (recorder != null) {
      recorder.stop();
    }
    assertTrue(eventually(30, () -> FlightRecorderTest.recorderThreads().isEmpty()), "threads left");
  }

  private Path store() {
    return temp.resolve("snapshots");
  }

  private FlightRecorder start(FlightRecorderOptions options) {
    recorder = new FlightRecorder(options.withMinAge(Duration.ofSeconds(2)).withSnapshotDirectory(store()));
    recorder.start();
    return recorder;
  }

  private static Task slowTask(String type, long millis) throws InterruptedException {
    Task task = Trace.newTask(type);
    try (Task.Scope scope = task.makeCurrent(); Region region = Trace.startRegion("flight-recorder-slow-region")) {
      Trace.log("flight-recorder-test", "working slowly");
      Thread.sleep(millis);
    } finally {
      task.end();
    }
    return task;
  }

  @Test
  void aSlowTaskMakesExactlyOneSnapshotThatHoldsItAndAStormMakesNoMore() throws Exception {
    Duration delay = Duration.ofMillis(300);
    start(FlightRecorderOptions.defaults().withSnapshotDelay(delay).withSnapshotMinInterval(Duration.ofMinutes(10)))
        .snapshotOnSlowTask(SLOW, Duration.ofMillis(50));
    long written = FlightRecorderStats.writtenCount(Trigger.SLOW_TASK);
    slowTask(SLOW, 0); // fast: no snapshot
    slowTask("flight-recorder-unwatched-type", 80); // slow, but not watched
    Task slow = slowTask(SLOW, 80);
    Instant ended = Instant.now();

    assertTrue(eventually(30, () -> recorder.snapshots().size() == 1), () -> "snapshots: " + recorder.snapshots());
    Snapshot snapshot = recorder.snapshots().get(0);
    Matcher name = SnapshotStore.NAME.matcher(snapshot.name());
    assertTrue(name.matches(), snapshot.name());
    assertEquals(SLOW, name.group(2));
    assertEquals(Long.toString(slow.id()), name.group(3));
    assertTrue(Long.parseLong(name.group(4)) >= 80, snapshot.name());
    assertEquals("slow task " + SLOW + " (id " + slow.id() + ") took " + name.group(4) + " ms", snapshot.reason());
    assertFalse(snapshot.time().isBefore(ended.minusSeconds(1)));

    Path file = recorder.snapshotFile(snapshot.name()).orElseThrow();
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(bytes.length, snapshot.size());
    TraceContents contents = new TraceContents(bytes);
    assertEquals(SLOW, contents.typeOf(slow.id()), "the task's begin is not in its snapshot");
    assertTrue(contents.ended(slow.id()), "the task's end is not in its snapshot");
    assertTrue(contents.hasRegion(slow.id(), "flight-recorder-slow-region"));
    assertTrue(contents.hasLog(slow.id(), "flight-recorder-test", "working slowly"));
    List<ChunkHeader> chunks = chunks(bytes);
    Instant windowEnd = Instant.ofEpochSecond(0, chunks.get(chunks.size() - 1).endNanos());
    assertFalse(windowEnd.isBefore(ended.plus(delay).minusMillis(20)), "the snapshot was taken before its delay was over");
    assertEquals(written + 1, FlightRecorderStats.writtenCount(Trigger.SLOW_TASK));

    // A storm: every slow task is turned down on its own thread, at once, and counted.
    long skipped = FlightRecorderStats.skippedCount(Skip.MIN_INTERVAL);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Task>> storm = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        storm.add(pool.submit(() -> slowTask(SLOW, 60)));
      }
      for (Future<Task> f : storm) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(skipped + 25, FlightRecorderStats.skippedCount(Skip.MIN_INTERVAL));
    ExecutionException refused = assertThrows(ExecutionException.class, () -> recorder.snapshot("and the application").get(30, TimeUnit.SECONDS));
    assertTrue(refused.getCause() instanceof RejectedExecutionException, refused.toString());
    assertTrue(refused.getCause().getMessage().contains("at most one is taken per 10m"), refused.getCause().getMessage());
    assertEquals(1, recorder.snapshots().size());
    assertEquals(written + 1, FlightRecorderStats.writtenCount(Trigger.SLOW_TASK));
  }

  @Test
  void theStoreKeepsTheNewestWithinItsCountAndBytes() throws Exception {
    long maxBytes = FlightRecorderOptions.MIN_MAX_BYTES;
    start(FlightRecorderOptions.defaults().withSnapshotMinInterval(Duration.ZERO).withMaxSnapshots(3).withMaxSnapshotBytes(maxBytes));
    String padding = "y".repeat(1000);
    List<String> taken = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      for (int j = 0; j < (i % 2 == 0 ? 400 : 0); j++) {
        Trace.log("flight-recorder-test", padding); // every other window is about 400 KB larger
      }
      Snapshot s = recorder.snapshot("round " + i + ": health check failed").get(60, TimeUnit.SECONDS);
      assertTrue(s.name().endsWith("_round-" + i + "-health-check-failed.jfr"), s.name());
      assertEquals("round-" + i + "-health-check-failed", s.reason());
      taken.add(s.name());
      List<Snapshot> kept = recorder.snapshots();
      assertEquals(s, kept.get(0), "the newest is not first");
      assertTrue(kept.size() <= 3, kept.size() + " kept");
      long bytes = kept.stream().mapToLong(Snapshot::size).sum();
      assertTrue(bytes <= maxBytes || kept.size() == 1, bytes + " bytes kept");
      List<String> names = kept.stream().map(Snapshot::name).collect(Collectors.toList());
      List<String> newestTaken = new ArrayList<>(taken.subList(taken.size() - names.size(), taken.size()));
      java.util.Collections.reverse(newestTaken);
      assertEquals(newestTaken, names, "not the oldest removed first");
    }
    assertTrue(FlightRecorderStats.writtenCount(Trigger.APPLICATION) >= 6);
    assertTrue(
        Files.list(store()).noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file was left");
  }

  @Test
  void namesFromOutsideAreMatchedNeverUsedAsPaths() throws Exception {
    start(FlightRecorderOptions.defaults().withSnapshotMinInterval(Duration.ZERO));
    Snapshot real = recorder.snapshot("kept").get(60, TimeUnit.SECONDS);
    assertTrue(recorder.snapshotFile(real.name()).isPresent());
    assertEquals(
        PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(store()), "the store is readable by others");

    Path outside = Files.writeString(temp.resolve("outside.txt"), "not a snapshot");
    String linkName = "20261130T141205.337Z_link.jfr";
    Files.createSymbolicLink(store().resolve(linkName), outside);
    Files.writeString(store().resolve("notes.txt"), "not a snapshot either");
    Files.writeString(store().resolve(".livetrace-123.tmp"), "half a snapshot");

    assertEquals(List.of(real.name()), recorder.snapshots().stream().map(Snapshot::name).collect(Collectors.toList()));
    assertTrue(recorder.snapshotFile(linkName).isEmpty(), "a link is served");
    assertTrue(recorder.snapshotFile("20261130T141205.337Z_missing.jfr").isEmpty());
    for (String bad :
        new String[] {"../outside.txt", "notes.txt", ".livetrace-123.tmp", "", "20261130T141205.337Z_a/b.jfr", "20261130T141205.337Z_..%2f.jfr", "/etc/passwd", null}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> recorder.snapshotFile(bad), String.valueOf(bad));
      assertTrue(e.getMessage().contains(SnapshotStore.NAME_EXAMPLE), e.getMessage());
    }
  }

  @Test
  void aStoreThatIsALinkIsRefused() throws Exception {
    Path real = Files.createDirectory(temp.resolve("elsewhere"));
    Files.createSymbolicLink(store(), real);
    start(FlightRecorderOptions.defaults());
    ExecutionException e = assertThrows(ExecutionException.class, () -> recorder.snapshot("x").get(60, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("symbolic link"), e.getCause().getMessage());
    try (var files = Files.list(real)) {
      assertEquals(0, files.count(), "something was written through the link");
    }
  }

  @Test
  void aSnapshotStillWaitingForItsDelayIsDroppedAtStopAndNothingIsLeft() throws Exception {
    start(FlightRecorderOptions.defaults().withSnapshotDelay(Duration.ofMinutes(1))).snapshotOnSlowTask(SLOW, Duration.ofMillis(1));
    long stopped = FlightRecorderStats.skippedCount(Skip.STOPPED);
    slowTask(SLOW, 5);
    recorder.stop();
    assertEquals(stopped + 1, FlightRecorderStats.skippedCount(Skip.STOPPED));
    assertTrue(recorder.snapshots().isEmpty());
    assertTrue(FlightRecorderTest.recorderThreads().isEmpty(), "the stop waited, or left a thread");
    ExecutionException e = assertThrows(ExecutionException.class, () -> recorder.snapshot("late").get(1, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("not running"), e.getCause().getMessage());
    slowTask(SLOW, 5); // the listener is gone: nothing happens, nothing throws
  }
}
