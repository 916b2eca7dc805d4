package io.github.livetrace.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts misuse of the annotation API and reports it as {@link MisuseEvent}s.
 *
 * <p>Every misuse is counted. Events carry a stack trace (microseconds each), so at most {@link
 * #EVENTS_PER_SECOND} are written per second: a loop that misuses the API on every iteration must
 * not turn the trace into a stream of stack traces.
 */
public final class Misuse {
  static final int EVENTS_PER_SECOND = 100;

  private static final AtomicLong COUNT = new AtomicLong();
  private static final AtomicLong WINDOW = new AtomicLong(); // (second << 32) | events in it

  private Misuse() {}

  /** Misuses counted in this JVM so far. */
  public static long count() {
    return COUNT.get();
  }

  /** Counts one misuse and writes an event for it when recording and under the rate limit. */
  public static void report(String kind, String message) {
    long total = COUNT.incrementAndGet();
    if (!Jfr.PRESENT) {
      return;
    }
    try {
      MisuseEvent event = new MisuseEvent();
      if (event.isEnabled() && underRateLimit()) {
        StringPoolGuard.beforeCommit();
        event.kind = kind;
        event.message = Text.message(message);
        event.count = total;
        event.commit();
      }
    } catch (RuntimeException | LinkageError e) {
      // Misuse reporting must never turn into an exception in application code.
    }
  }

  private static boolean underRateLimit() {
    long second = System.nanoTime() / 1_000_000_000L;
    while (true) {
      long w = WINDOW.get();
      long next;
      if ((w >>> 32) != (second & 0xFFFFFFFFL)) {
        next = (second << 32) | 1;
      } else if ((w & 0xFFFFFFFFL) < EVENTS_PER_SECOND) {
        next = w + 1;
      } else {
        return false;
      }
      if (WINDOW.compareAndSet(w, next)) {
        return true;
      }
    }
  }
}
