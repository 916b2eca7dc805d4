package io.github.livetrace.internal;

import io.github.livetrace.TraceFailure.Reason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters about the flight recorder, read by {@code LivetraceMetrics}; kept here, as
 * {@link TraceStats} keeps the trace counters, so that core needs no metrics library and a flight
 * recorder started by code, the servlet or Spring is counted in one place.
 */
public final class FlightRecorderStats {
  /** What asked for a snapshot: the {@code reason} tag of {@code livetrace.flightrecorder.snapshots}. */
  public enum Trigger {
    /** A task of a watched type ended slower than its threshold. */
    SLOW_TASK,
    /** The application called {@code snapshot(reason)}. */
    APPLICATION;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why a snapshot that was asked for was not written: the {@code cause} tag. */
  public enum Skip {
    /** Another snapshot was taken or pending within the minimum interval. */
    MIN_INTERVAL,
    /** Writing it failed (disk full, JFR error, events that carry secrets in every chunk). */
    ERROR,
    /** The flight recorder stopped before its delay was over. */
    STOPPED;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Map<Trigger, LongAdder> WRITTEN = new EnumMap<>(Trigger.class);
  private static final Map<Skip, LongAdder> SKIPPED = new EnumMap<>(Skip.class);
  private static final Map<Reason, LongAdder> FAILED = new EnumMap<>(Reason.class);

  static {
    for (Trigger t : Trigger.values()) {
      WRITTEN.put(t, new LongAdder());
    }
    for (Skip s : Skip.values()) {
      SKIPPED.put(s, new LongAdder());
    }
    for (Reason r : Reason.values()) {
      FAILED.put(r, new LongAdder());
    }
  }

  private FlightRecorderStats() {}

  public static void written(Trigger trigger) {
    WRITTEN.get(trigger).increment();
  }

  public static long writtenCount(Trigger trigger) {
    return WRITTEN.get(trigger).sum();
  }

  public static void skipped(Skip cause) {
    SKIPPED.get(cause).increment();
  }

  public static long skippedCount(Skip cause) {
    return SKIPPED.get(cause).sum();
  }

  /** A flight recorder that stopped by itself: its recording stopped from outside, or JFR failed. */
  public static void failed(Reason reason) {
    FAILED.get(reason).increment();
  }

  public static long failedCount(Reason reason) {
    return FAILED.get(reason).sum();
  }
}
