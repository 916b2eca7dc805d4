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
    assertTrue(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, aqs, "java.util.concurrent.locks.ReentrantLock$Sync.lock", "java.util.concurrent.locks.ReentrantLock.lock", "com.example.Shop.order")));
    assertTrue(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.lockInterruptibly")));
    assertTrue(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.locks.ReentrantLock.tryLock")));
    assertTrue(JfrProfileReader.acquiresLock(stack(park, lockSupport, "java.util.concurrent.locks.StampedLock.acquireWrite", "java.util.concurrent.locks.StampedLock.writeLock")));
    assertTrue(
        JfrProfileReader.acquiresLock(stack("java.lang.VirtualThread.park", "java.lang.System$2.parkVirtualThread", "jdk.internal.misc.VirtualThreads.park", lockSupport, aqs, "java.util.concurrent.locks.ReentrantLock$Sync.lock")),
        "a virtual thread waiting for a lock");
    assertTrue(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.ThreadPoolExecutor$Worker.lock")), "any Lock");

    assertFalse(JfrProfileReader.acquiresLock(stack(park, "java.util.concurrent.locks.LockSupport.parkNanos", aqs, "java.util.concurrent.locks.AbstractQueuedSynchronizer.tryAcquireSharedNanos", "java.util.concurrent.CountDownLatch.await")), "a latch");
    assertFalse(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, "java.util.concurrent.Semaphore.acquire")), "a semaphore");
    assertFalse(JfrProfileReader.acquiresLock(stack(park, lockSupport, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await")), "a condition");
    assertFalse(JfrProfileReader.acquiresLock(stack(park, lockSupport, "java.util.concurrent.FutureTask.awaitDone")), "a future");
    assertFalse(JfrProfileReader.acquiresLock(stack(park, lockSupport, aqs, "com.example.Pool.unlock")), "unlock");
    assertFalse(JfrProfileReader.acquiresLock(List.of()), "no stack");
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
}
