package io.github.livetrace.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Threads that each do one recognisable thing until closed: burn CPU, allocate, contend for a
 * monitor or a lock, sleep, wait in native code. Each does it in a method of its own name, which
 * the profile tests of every module look for in the profiles.
 *
 * <pre>{@code
 * try (Workload w = new Workload().start("burner", 1, Workload::burnCpu)) { ... }
 * }</pre>
 */
public final class Workload implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final List<ServerSocket> resources = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private static volatile Object sink; // keeps results from being optimized away

  /** Starts {@code count} platform threads named {@code name-1...} running {@code body} until closed. */
  public Workload start(String name, int count, Body body) {
    for (int i = 1; i <= count; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    body.run(stop);
                  }
                } catch (InterruptedException | IOException e) {
                  // closed
                }
              },
              name + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  /** What a thread does, again and again. */
  @FunctionalInterface
  public interface Body {
    void run(AtomicBoolean stop) throws InterruptedException, IOException;
  }

  public static void burnCpu(AtomicBoolean stop) {
    long x = 0;
    for (int i = 0; i < 5_000_000; i++) {
      x = x * 31 + i;
    }
    sink = x;
  }

  private static final byte[] SOURCE = new byte[1 << 16];

  /** CPU time in {@code System.arraycopy}'s stub, which JFR's sampler before JDK 25 does not see. */
  public static void copyArrays(AtomicBoolean stop) {
    byte[] target = new byte[SOURCE.length];
    for (int i = 0; i < 2_000; i++) {
      System.arraycopy(SOURCE, 0, target, 0, SOURCE.length);
    }
    sink = target;
  }

  /** CPU time in {@code System.nanoTime}, an intrinsic that calls into the VM and the vDSO. */
  public static void readNanoTime(AtomicBoolean stop) {
    long x = 0;
    for (int i = 0; i < 200_000; i++) {
      x += System.nanoTime();
    }
    sink = x;
  }

  /** CPU time in SHA-256, an intrinsic on most CPUs. */
  public static void hashBytes(AtomicBoolean stop) {
    try {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < 100; i++) {
        digest.update(SOURCE);
      }
      sink = digest.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void allocateArrays(AtomicBoolean stop) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      sink = new long[256];
    }
    Thread.sleep(1); // allocates much and burns little CPU
  }

  private static final Object MONITOR = new Object();

  public static void enterMonitor(AtomicBoolean stop) throws InterruptedException {
    synchronized (MONITOR) {
      Thread.sleep(15); // held while others wait to enter: over the JDK profile settings' 10 ms
    }
  }

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final ReentrantLock OWN_LOCK = new ReentrantLock(); // nobody contends for it
  private static final Condition NEVER = OWN_LOCK.newCondition();

  public static void lockReentrant(AtomicBoolean stop) throws InterruptedException {
    LOCK.lock();
    try {
      Thread.sleep(5);
    } finally {
      LOCK.unlock();
    }
  }

  public static void awaitCondition(AtomicBoolean stop) throws InterruptedException {
    OWN_LOCK.lock();
    try {
      NEVER.await(20, TimeUnit.MILLISECONDS); // waits for a signal, not for a lock
    } finally {
      OWN_LOCK.unlock();
    }
  }

  private static final java.util.concurrent.Semaphore NO_PERMITS = new java.util.concurrent.Semaphore(0);

  /** Waits for work that does not come, as an idle pool thread does: a park, not contention. */
  public static void waitOnSemaphore(AtomicBoolean stop) throws InterruptedException {
    NO_PERMITS.tryAcquire(20, TimeUnit.MILLISECONDS);
  }

  public static void sleepALot(AtomicBoolean stop) throws InterruptedException {
    Thread.sleep(20);
  }

  public static void sleepLong(AtomicBoolean stop) throws InterruptedException {
    Thread.sleep(60_000); // until closed: a stack that stays put for a thread dump
  }

  public static void sleepInVirtualThread() {
    try {
      Thread.sleep(60_000);
    } catch (InterruptedException e) {
      // closed
    }
  }

  /**
   * Starts a virtual thread (JDK 21+) named {@code name} running {@code body}; by reflection,
   * since the tests are Java 17 bytecode. Closing interrupts it.
   */
  public static AutoCloseable startVirtual(String name, Runnable body) throws ReflectiveOperationException {
    Class<?> builder = Class.forName("java.lang.Thread$Builder");
    Object named = builder.getMethod("name", String.class).invoke(Thread.class.getMethod("ofVirtual").invoke(null), name);
    Thread thread = (Thread) builder.getMethod("start", Runnable.class).invoke(named, body);
    return () -> {
      thread.interrupt();
      thread.join(30_000);
    };
  }

  private static final Object[] RETAINED = new Object[20_000];
  private static int next;

  /**
   * Keeps about 20 MB of {@code long[128]} live, each for about 4 s: longer than a heap profile
   * of a few seconds, so that what it sampled is still live when the profile ends (replaced at
   * full speed, they would die within milliseconds and leave the profile to other threads' few
   * long-lived objects).
   */
  public static void retainObjects(AtomicBoolean stop) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      synchronized (RETAINED) {
        RETAINED[next++ % RETAINED.length] = new long[128];
      }
    }
    Thread.sleep(20);
    sink = new byte[64]; // and some garbage
  }

  /** Blocks in a native accept() until closed: a thread waiting in native code, off CPU. */
  public Workload waitInAccept(String name) throws IOException {
    ServerSocket socket = new ServerSocket(0);
    resources.add(socket);
    return start(name, 1, s -> acceptConnection(socket));
  }

  private static void acceptConnection(ServerSocket socket) throws IOException {
    socket.accept().close();
  }

  /** Blocks reading a loopback socket nobody writes to, until closed: a thread in I/O, off CPU. */
  public Workload waitInRead(String name) throws IOException {
    ServerSocket server = new ServerSocket(0);
    resources.add(server);
    java.net.Socket client = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort());
    java.net.Socket accepted = server.accept();
    closeables.add(client);
    closeables.add(accepted);
    return start(name, 1, s -> readSocket(accepted));
  }

  private static void readSocket(java.net.Socket socket) throws IOException {
    if (socket.getInputStream().read() < 0) {
      throw new IOException("closed");
    }
  }

  /** Stops and joins the threads, and closes what they wait on. */
  @Override
  public void close() throws IOException {
    stop.set(true);
    for (ServerSocket r : resources) {
      r.close();
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // closing what the threads wait on: nothing else to do
      }
    }
    for (Thread t : threads) {
      t.interrupt();
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
