package io.github.livetrace.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps JFR's string pool, on JDK 20 and older, from giving a livetrace event the id of a string
 * that only an earlier chunk or recording defines: readers show such a field as null ({@code
 * N/A}).
 *
 * <h2>The JDK fault</h2>
 *
 * JFR writes a string field of 17 to 127 chars, once it has seen the string twice, as an id into
 * a constant pool of the chunk. Up to JDK 20 the Java side ({@code jdk.jfr.internal.StringPool})
 * caches string to id for the whole JVM, without the chunk the id was written to. A chunk
 * rotation (each livetrace chunk interval, the stop of a recording, and a start, copy or dump
 * while another recording runs) flags every event writer that exists at that moment, and the
 * cache is emptied only when a flagged writer next commits an event ({@code
 * EventWriter.endEvent} calls {@code resetStringPool}). Two kinds of writer miss that:
 *
 * <ul>
 *   <li>a thread's first JFR event creates its writer; created after a rotation, it was never
 *       flagged, and until some older writer commits, the thread takes ids from the cache that
 *       belong to the previous chunk or an earlier recording;
 *   <li>a recording that starts while none runs flags nobody (so in 17.0.15; later 17u sources
 *       flag writers there too): a writer that committed after the last rotation of the previous
 *       recording, while that one was stopping, keeps using ids of strings that went nowhere.
 * </ul>
 *
 * From JDK 21 every cached id carries the generation of its chunk, and a stale one is written
 * again.
 *
 * <h2>The guard</h2>
 *
 * Two threads of its own commit a {@link StringPoolSyncEvent} when asked; their commits empty a
 * stale cache because their writers have been flagged by the rotations that made it stale:
 *
 * <ul>
 *   <li>the <em>trace-start thread</em> commits once per trace, right after the trace's
 *       recording started ({@link #afterRecordingStart()}), and otherwise only once before the
 *       first trace: every rotation of the previous trace, its stop included, flagged it after
 *       its previous commit, so it empties what that stop left;
 *   <li>the <em>new-writer thread</em> commits for each thread that just got a writer: its writer
 *       is flagged by every rotation since its previous commit, so its commit empties the cache
 *       if a rotation left it stale, and if not, an earlier commit of it did after that rotation.
 * </ul>
 *
 * Before a thread's first livetrace event of a trace, {@link #beforeCommit()} waits for the
 * trace-start commit; before its first event ever, it first commits a sync event itself, which
 * creates its writer, and then waits for a new-writer commit. From then on every rotation flags
 * the thread's writer, so that JFR empties a stale cache at its next commit and writes that event
 * again. The order matters: a rotation between the thread's own commit and the new-writer commit
 * flags both writers, one before only the new-writer thread's.
 *
 * <p>Cost: none on JDK 21 and later (a constant). Before, a thread-local and a volatile read per
 * event; per thread and trace a look at a counter, per thread's life one small event and one wait
 * for the new-writer thread, whose commit serves every thread waiting at the time. Both threads
 * are daemons waiting on a monitor; the first guarded event starts them, and they live as long as
 * the JVM, since new threads would come with new, unflagged writers.
 */
public final class StringPoolGuard {
  /** Whether this JDK's string pool has the fault (JDK 17 to 20). */
  public static final boolean NEEDED = Runtime.version().feature() < 21;

  private static final String THREAD_NAME_SUFFIX = "(livetrace JFR string pool guard)";

  /**
   * How long a thread waits for a guard thread. Past it the thread writes its event unguarded and
   * tries again at its next one; only a machine that cannot schedule a thread for this long gets
   * there.
   */
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final ThreadLocal<ThreadGuard> THREADS = ThreadLocal.withInitial(ThreadGuard::new);

  /** Counts trace starts; from 1, the time before the first trace counting as one. */
  private static final AtomicLong TRACE = new AtomicLong(1);

  private static final Committer TRACE_STARTS = new Committer("trace starts " + THREAD_NAME_SUFFIX);
  private static final Committer NEW_WRITERS = new Committer("new writers " + THREAD_NAME_SUFFIX);

  private StringPoolGuard() {}

  /** What the guard knows of one thread; only that thread touches it. */
  private static final class ThreadGuard {
    boolean hasWriter;
    boolean newWriterSynced;
    long trace;
  }

  /** Call before starting a trace's recording: every thread is guarded again for the trace. */
  public static void beforeRecordingStart() {
    if (NEEDED) {
      TRACE.incrementAndGet();
    }
  }

  /**
   * Call once the trace's recording started, before anything else of the trace runs: the
   * trace-start commit must come before the trace can stop. Before the first guarded event of
   * the JVM there is nothing to empty, and no guard thread is started for it.
   */
  public static void afterRecordingStart() {
    if (NEEDED) {
      TRACE_STARTS.commitAfter(TRACE.get(), false);
    }
  }

  /**
   * Call on the committing thread before committing a livetrace event that has string fields,
   * once the event is known to be enabled. Never throws.
   */
  public static void beforeCommit() {
    if (NEEDED) {
      ThreadGuard guard = THREADS.get();
      if (guard.trace != TRACE.get()) {
        guardThisThread(guard);
      }
    }
  }

  /**
   * Call before a livetrace event that JFR's chunk-periodic hooks commit ({@link JvmEvent}). They
   * run on whatever thread starts or rotates a recording, inside that call, so the wait for the
   * trace-start commit (which follows the start) is left out: only a thread's new writer is
   * synced. The first chunk of a recording started while none ran may then name strings of the
   * previous one (readers show null); later chunks are written by flagged writers. Never throws.
   */
  public static void beforePeriodicCommit() {
    if (NEEDED) {
      ThreadGuard guard = THREADS.get();
      try {
        if (!guard.hasWriter) {
          guard.hasWriter = commitSync();
        }
        if (guard.hasWriter && !guard.newWriterSynced) {
          guard.newWriterSynced = NEW_WRITERS.commitAfter(NEW_WRITERS.newRequest(), true);
        }
      } catch (RuntimeException e) {
        // Never into JFR's rotation; the next chunk tries again.
      }
    }
  }

  private static void guardThisThread(ThreadGuard guard) {
    try {
      long trace = TRACE.get();
      if (!guard.hasWriter) {
        if (!commitSync()) {
          return; // no recording takes it: no writer yet, the next event tries again
        }
        guard.hasWriter = true;
      }
      if (!guard.newWriterSynced) {
        if (!NEW_WRITERS.commitAfter(NEW_WRITERS.newRequest(), true)) {
          return;
        }
        guard.newWriterSynced = true;
      }
      if (TRACE_STARTS.commitAfter(trace, true)) {
        guard.trace = trace;
      }
    } catch (RuntimeException e) {
      // Never into application code; the next event tries again.
    }
  }

  /** Commits a sync event; false when no recording takes it. */
  static boolean commitSync() {
    StringPoolSyncEvent event = new StringPoolSyncEvent();
    if (!event.isEnabled()) {
      return false;
    }
    event.commit();
    return true;
  }

  /**
   * A thread that commits a sync event when asked, once for all requests made before the commit
   * began. Requests are numbered; a commit serves every number up to the highest requested.
   */
  private static final class Committer implements Runnable {
    private final String name;
    private final Object lock = new Object();
    private Thread thread; // the rest under lock too
    private long tickets;
    private long requested;
    private long served;
    private long committed;

    Committer(String name) {
      this.name = name;
    }

    /** A number that no commit has served yet. */
    long newRequest() {
      synchronized (lock) {
        return ++tickets;
      }
    }

    /**
     * Has a commit made for {@code number} unless one was, and waits for it; true when that commit
     * was recorded. Without {@code start}, does nothing unless the thread runs already.
     */
    boolean commitAfter(long number, boolean start) {
      synchronized (lock) {
        if (served < number) {
          if (thread == null && !start || !started()) {
            return false;
          }
          requested = Math.max(requested, number);
          lock.notifyAll();
          long deadline = System.nanoTime() + WAIT_NANOS;
          while (served < number) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return false;
            }
            try {
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt(); // the application's interrupt, kept for it
              return false;
            }
          }
        }
        return committed >= number;
      }
    }

    private boolean started() {
      if (thread != null) {
        return true;
      }
      try {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        // It outlives the request that happened to start it: keep that request's loader free.
        t.setContextClassLoader(null);
        t.start();
        thread = t;
        return true;
      } catch (RuntimeException | OutOfMemoryError e) {
        return false; // no thread to be had (thread limit): events go unguarded, as before
      }
    }

    @Override
    public void run() {
      while (true) {
        long upTo;
        synchronized (lock) {
          while (served >= requested) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              // A stray interrupt must not end the thread: its writer cannot be replaced.
            }
          }
          upTo = requested;
        }
        boolean ok;
        try {
          ok = commitSync();
        } catch (RuntimeException e) {
          ok = false;
        }
        synchronized (lock) {
          served = upTo;
          if (ok) {
            committed = upTo;
          }
          lock.notifyAll();
        }
      }
    }
  }
}
