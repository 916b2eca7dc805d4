package io.github.livetrace.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

class JfrProfileReaderTest {
  private static List<Frame> stack(String... functions) {
    List<Frame> frames = new ArrayList<>();
    for (String f : functions) {
      frames.add(new Frame(f, "", 0, FrameKind.JAVA));
    }
    return frames;
  }

  @Test
  void parksThatAcquireALockAreMutexContentionOtherParksAreNot() {
    String park = "jdk.internal.misc.Unsafe.park";
    String lockSupport = "java.util.concurrent.locks.LockSupport.park";
    String aqs = "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire";
    assertTrue(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, aqs, "java.util.concurrent.locks.ReentrantLock$Sync.lock", "java.util.concurrent.locks.ReentrantLock.lock", "com.example.Shop.order")));
    assertTrue(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.lockInterruptibly")));
    assertTrue(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.locks.ReentrantLock.tryLock")));
    assertTrue(ProfileKind.acquiresLock(stack(park, lockSupport, "java.util.concurrent.locks.StampedLock.acquireWrite", "java.util.concurrent.locks.StampedLock.writeLock")));
    assertTrue(
        ProfileKind.acquiresLock(stack("java.lang.VirtualThread.park", "java.lang.System$2.parkVirtualThread", "jdk.internal.misc.VirtualThreads.park", lockSupport, aqs, "java.util.concurrent.locks.ReentrantLock$Sync.lock")),
        "a virtual thread waiting for a lock");
    assertTrue(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.ThreadPoolExecutor$Worker.lock")), "any Lock");

    assertFalse(ProfileKind.acquiresLock(stack(park, "java.util.concurrent.locks.LockSupport.parkNanos", aqs, "java.util.concurrent.locks.AbstractQueuedSynchronizer.tryAcquireSharedNanos", "java.util.concurrent.CountDownLatch.await")), "a latch");
    assertFalse(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.Semaphore.acquire")), "a semaphore");
    assertFalse(ProfileKind.acquiresLock(stack(park, lockSupport, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await")), "a condition");
    assertFalse(ProfileKind.acquiresLock(stack(park, lockSupport, "java.util.concurrent.FutureTask.awaitDone")), "a future");
    assertFalse(ProfileKind.acquiresLock(stack(park, lockSupport, aqs, "com.example.Pool.unlock")), "unlock");
    assertFalse(ProfileKind.acquiresLock(List.of()), "no stack");
  }

  @Test
  void classNamesAsJavaWritesThem() {
    assertEquals("long[]", JfrProfileReader.javaName("[J"));
    assertEquals("byte[][]", JfrProfileReader.javaName("[[B"));
    assertEquals("java.lang.String[]", JfrProfileReader.javaName("[Ljava.lang.String;"));
    assertEquals("java.lang.Object", JfrProfileReader.javaName("java.lang.Object"));
  }

  @Test
  void executionSamplePeriodIsEstimatedFromTheSamplersRounds() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<Instant> samples = new ArrayList<>();
    long round = 0;
    for (int i = 0; i < 300; i++) {
      // Rounds every 10 ms, late by up to 4 ms on a busy machine; none when no thread runs
      // Java. Three threads that run in bursts, each in every third round only (its own gaps
      // are 30 ms and more), sampled 0.4 ms apart in either order when two run; given in an
      // order that is not time order, as chunks and thread buffers are read.
      round += 10_000_000L + (i % 5) * 1_000_000L;
      if (i % 7 == 0) {
        continue;
      }
      samples.add(t.plusNanos(round + (i % 2) * 400_000L)); // thread i % 3
      if (i % 4 == 0) {
        samples.add(t.plusNanos(round + ((i + 1) % 2) * 400_000L)); // another
      }
    }
    Collections.shuffle(samples, new Random(42));
    JfrProfileReader.PeriodEstimate estimate = new JfrProfileReader.PeriodEstimate();
    samples.forEach(estimate::sample);
    assertEquals(OptionalLong.of(TimeUnit.MILLISECONDS.toNanos(10)), estimate.period());

    JfrProfileReader.PeriodEstimate few = new JfrProfileReader.PeriodEstimate();
    for (int i = 0; i < 5; i++) {
      few.sample(t.plusMillis(20 * i));
    }
    assertEquals(OptionalLong.empty(), few.period(), "a few samples tell nothing");
  }

  @Test
  void anEmptyHeapProfileHasTheSampleTypesOfAFullOne() throws Exception {
    Path file = Files.createTempFile("livetrace-test-", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ThreadSleep"); // no jdk.OldObjectSample: only its metadata is in the file
      recording.start();
      Thread.sleep(20);
      recording.stop();
      recording.dump(file);
      boolean sized = // jdk.OldObjectSample has had objectSize since JDK 18
          FlightRecorder.getFlightRecorder().getEventTypes().stream()
              .anyMatch(t -> t.getName().equals("jdk.OldObjectSample") && t.getField("objectSize") != null);
      StackProfile heap = JfrProfileReader.read(file, ProfileKind.HEAP, OptionalLong.empty());
      assertTrue(heap.samples().isEmpty());
      assertEquals(sized ? List.of("samples/count", "space/bytes") : List.of("samples/count"),
          heap.sampleTypes().stream().map(t -> t.type() + "/" + t.unit()).collect(Collectors.toList()));
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void executionSamplePeriodIsReadFromTheRecordingsActiveSetting() throws Exception {
    StackProfile told = cpuOfABusyThread(true);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(23), told.period(), "the setting, not an estimate");
    assertTrue(told.comments().get(0).contains("every 23ms (the recording's setting)"), told.comments().toString());
    StackProfile untold = cpuOfABusyThread(false);
    assertTrue(untold.comments().get(0).contains("the recording does not say its period"), untold.comments().toString());

    boolean before25 = Runtime.version().feature() < 25;
    String caveat = "jdk.ExecutionSample drops every sample of a thread in a stub, an intrinsic or a VM leaf call";
    assertEquals(before25, told.comments().stream().anyMatch(c -> c.startsWith("recorded on JDK " + Runtime.version().feature() + ": " + caveat)), told.comments().toString());
    // A file that does not name its JDK may come from any: the caveat stays.
    assertTrue(untold.comments().stream().anyMatch(c -> c.contains("a JDK the file does not name; before JDK 25, " + caveat)), untold.comments().toString());
  }

  /** A CPU profile of this thread burning CPU, recorded with jdk.ExecutionSample every 23 ms. */
  private static StackProfile cpuOfABusyThread(boolean activeSetting) throws Exception {
    Path file = Files.createTempFile("livetrace-test-", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(23));
      if (activeSetting) {
        recording.enable("jdk.ActiveSetting");
        recording.enable("jdk.JVMInformation");
      } else {
        recording.disable(io.github.livetrace.internal.EventNames.JVM); // it says the period too
      }
      recording.start();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      long x = 0;
      while (System.nanoTime() < end) {
        for (int i = 0; i < 100_000; i++) {
          x = x * 31 + i;
        }
      }
      assertTrue(x != 1);
      recording.stop();
      recording.dump(file);
      return JfrProfileReader.read(file, ProfileKind.CPU, OptionalLong.empty());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void timespansAndJdkVersionsAsJfrWritesThem() {
    assertEquals(OptionalLong.of(TimeUnit.MILLISECONDS.toNanos(10)), JfrProfileReader.timespan("10 ms"));
    assertEquals(OptionalLong.of(TimeUnit.SECONDS.toNanos(1)), JfrProfileReader.timespan("1 s"));
    assertEquals(OptionalLong.of(20_000), JfrProfileReader.timespan("20 us"));
    assertEquals(OptionalLong.empty(), JfrProfileReader.timespan("everyChunk"));
    assertEquals(OptionalLong.empty(), JfrProfileReader.timespan("100/s"));
    assertEquals(17, JfrProfileReader.jdkMajor("OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1) for linux-amd64 JRE (17.0.15+6-Debian-1deb12u1), built on ..."));
    assertEquals(25, JfrProfileReader.jdkMajor("OpenJDK 64-Bit Server VM (25.0.3+9-LTS) for linux-amd64 JRE (25.0.3+9-LTS)"));
    assertEquals(25, JfrProfileReader.jdkMajor("OpenJDK 64-Bit Server VM (25+36-LTS) for linux-amd64"));
    assertEquals(-1, JfrProfileReader.jdkMajor("unknown"));
  }
}
