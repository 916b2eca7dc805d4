package io.github.livetrace.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
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
  void executionSamplePeriodIsEstimatedFromTheGapsOfEachThread() {
    JfrProfileReader.PeriodEstimate estimate = new JfrProfileReader.PeriodEstimate();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    long pass = 0;
    for (int i = 0; i < 100; i++) {
      // Passes every 10 ms, late by up to 4 ms on a busy machine; within a pass the two
      // threads are sampled in either order; one is sometimes skipped.
      pass += 10_000_000L + (i % 5) * 1_000_000L;
      estimate.sample(1, t.plusNanos(pass + (i % 2) * 400_000L));
      if (i % 4 != 0) {
        estimate.sample(2, t.plusNanos(pass + ((i + 1) % 2) * 400_000L));
      }
    }
    assertEquals(OptionalLong.of(TimeUnit.MILLISECONDS.toNanos(10)), estimate.period());

    JfrProfileReader.PeriodEstimate few = new JfrProfileReader.PeriodEstimate();
    for (int i = 0; i < 5; i++) {
      few.sample(1, t.plusMillis(20 * i));
    }
    assertEquals(OptionalLong.empty(), few.period(), "a few samples tell nothing");
  }
}
