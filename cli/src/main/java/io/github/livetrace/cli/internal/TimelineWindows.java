package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.Durations;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code view}'s timeline splits a trace into windows whose JSON a browser can draw: each
 * window holds at most {@link #eventsPerWindow} of the events the timeline draws, counted per
 * slice of time beforehand ({@link EventDensity}), so that the bound holds wherever the events
 * crowd (a window's JSON is about 150 bytes per event). Go's trace viewer splits the same way, by
 * the size of the JSON, at about 100 MB; this split is smaller because ECharts draws every slice
 * itself, in the page.
 *
 * <p>A window asked for by {@code from} and {@code to} (offsets since the trace's start, or
 * ISO-8601 instants) is kept as asked if it holds no more events than that; a wider one is
 * narrowed at its end.
 */
final class TimelineWindows {
  /** What a window bound may be, for the 400 page. */
  static final String ACCEPTED = "an offset since the trace's start (" + Durations.ACCEPTED
      + "), or an ISO-8601 time such as 2026-01-31T12:00:01.5Z";

  /**
   * A window: nanoseconds since the epoch, both ends included, as {@link
   * ChromeTraceExport.Selection} takes them; {@code index} is its place among the planned
   * windows, or -1 for one asked for.
   */
  record Window(int index, long fromNanos, long toNanos, boolean narrowed) {
    ChromeTraceExport.Selection selection() {
      return new ChromeTraceExport.Selection(fromNanos, toNanos, null, null);
    }
  }

  /**
   * Events per slice of time: {@code counts[i]} ended in {@code [startNanos + i * bucketNanos,
   * startNanos + (i + 1) * bucketNanos)}.
   */
  record Density(long startNanos, long bucketNanos, long[] counts) {}

  private final long startNanos;
  private final long endNanos;
  private final long eventsPerWindow;
  private final Density density;
  private final List<Long> starts = new ArrayList<>(); // of the planned windows, ascending

  TimelineWindows(Fleet fleet, Density density, long eventsPerWindow) {
    this.startNanos = fleet.startNanos();
    this.endNanos = fleet.endNanos();
    this.eventsPerWindow = eventsPerWindow;
    this.density = density;
    plan();
  }

  private void plan() {
    starts.add(startNanos);
    long events = 0;
    long[] counts = density.counts();
    for (int i = 0; i < counts.length; i++) {
      long at = density.startNanos() + i * density.bucketNanos();
      if (events > 0 && events + counts[i] > eventsPerWindow && at > last() && at < endNanos) {
        starts.add(at);
        events = 0;
      }
      events += counts[i];
    }
  }

  private long last() {
    return starts.get(starts.size() - 1);
  }

  /** The planned windows, in time order; together they cover the trace. */
  List<Window> windows() {
    List<Window> windows = new ArrayList<>(starts.size());
    for (int i = 0; i < starts.size(); i++) {
      windows.add(planned(i));
    }
    return windows;
  }

  int count() {
    return starts.size();
  }

  long eventsPerWindow() {
    return eventsPerWindow;
  }

  long startNanos() {
    return startNanos;
  }

  long endNanos() {
    return endNanos;
  }

  Window planned(int i) {
    long to = i + 1 < starts.size() ? starts.get(i + 1) - 1 : endNanos;
    return new Window(i, starts.get(i), to, false);
  }

  /** The planned window that holds the instant {@code nanos}. */
  Window plannedAt(long nanos) {
    int i = 0;
    while (i + 1 < starts.size() && starts.get(i + 1) <= nanos) {
      i++;
    }
    return planned(i);
  }

  /**
   * The window that {@code from} and {@code to} ask for (either may be null: the planned window
   * around the other; both null: the first).
   *
   * @throws IllegalArgumentException saying which bound is wrong and what is accepted
   */
  Window window(String from, String to) {
    boolean hasFrom = from != null && !from.isBlank();
    boolean hasTo = to != null && !to.isBlank();
    if (!hasFrom && !hasTo) {
      return planned(0);
    }
    long f = hasFrom ? bound("from", from) : Long.MIN_VALUE;
    long t = hasTo ? bound("to", to) : Long.MAX_VALUE;
    if (f > t) {
      throw new IllegalArgumentException("from (" + describe(f) + ") is after to (" + describe(t) + ")");
    }
    if (f > endNanos) {
      throw new IllegalArgumentException("from (" + describe(f) + ") is outside the trace, which lasts "
          + Durations.format(endNanos - startNanos));
    }
    f = hasFrom ? f : plannedAt(t).fromNanos();
    t = hasTo ? t : plannedAt(f).toNanos();
    for (int i = 0; i < starts.size(); i++) {
      Window w = planned(i);
      if (w.fromNanos() == f && w.toNanos() == t) {
        return w;
      }
    }
    if (eventsBetween(f, t) <= eventsPerWindow) {
      return new Window(-1, f, t, false);
    }
    // The latest end that keeps the window within the bound, found by halving.
    long lo = f;
    long hi = t;
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (eventsBetween(f, mid) <= eventsPerWindow) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return new Window(-1, f, Math.max(lo, Math.min(t, plannedAt(f).toNanos())), true);
  }

  /** The events counted in the slices of time that {@code [from, to]} touches. */
  long eventsBetween(long from, long to) {
    long[] counts = density.counts();
    long first = Math.max(0, (Math.max(from, density.startNanos()) - density.startNanos()) / density.bucketNanos());
    long last = Math.min(counts.length - 1, (Math.max(to, density.startNanos()) - density.startNanos()) / density.bucketNanos());
    long events = 0;
    for (long i = first; i <= last; i++) {
      events += counts[(int) i];
    }
    return events;
  }

  private long bound(String name, String text) {
    String s = text.trim();
    if (Character.isDigit(s.charAt(0)) && s.contains("T")) {
      try {
        return Timestamps.nanos(Instant.parse(s));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(name + ": '" + text + "' is not a time; want " + ACCEPTED);
      }
    }
    try {
      long offset = Durations.parseNanos(s);
      return offset > Long.MAX_VALUE - startNanos ? Long.MAX_VALUE : startNanos + offset;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": '" + text + "' is neither an offset nor a time; want " + ACCEPTED);
    }
  }

  /** An instant as an offset since the trace's start, such as {@code +1.5s}. */
  String describe(long nanos) {
    long offset = nanos - startNanos;
    return offset < 0 ? "-" + Durations.format(-offset) : "+" + Durations.format(offset);
  }

  /** An instant as the offset a query takes, exact: {@code 1500000000ns}. */
  String query(long nanos) {
    return Math.max(0, nanos - startNanos) + "ns";
  }
}
