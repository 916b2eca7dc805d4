package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.Durations;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How {@code view}'s timeline splits a trace into windows whose JSON a browser can draw: at chunk
 * starts, so that each window holds at most {@link #bytesPerWindow} bytes of the trace file
 * (a chunk larger than that is cut into equal spans of time). The timeline's JSON grows with the
 * events in its window, and the file's bytes are the measure of those known without reading any
 * event: the chunk headers give them. Go's trace viewer splits the same way, by the size of the
 * JSON, at about 100 MB; this split is smaller because ECharts draws every slice itself.
 *
 * <p>A window asked for by {@code from} and {@code to} (offsets since the trace's start, or
 * ISO-8601 instants) is kept as asked if its share of the file, chunks counted in proportion to
 * the time they share with it, is within the same bound; a wider one is narrowed at its end.
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

  private record Chunk(long startNanos, long endNanos, long bytes) {}

  private final long startNanos;
  private final long endNanos;
  private final long bytesPerWindow;
  private final List<Chunk> chunks = new ArrayList<>();
  private final List<Long> starts = new ArrayList<>(); // of the planned windows, ascending

  TimelineWindows(Fleet fleet, long bytesPerWindow) {
    this.startNanos = fleet.startNanos();
    this.endNanos = fleet.endNanos();
    this.bytesPerWindow = bytesPerWindow;
    for (Fleet.Part part : fleet.parts()) {
      for (ChunkHeader c : part.file().chunks()) {
        chunks.add(new Chunk(c.startNanos(), c.endNanos(), c.chunkSize()));
      }
    }
    chunks.sort(Comparator.comparingLong(Chunk::startNanos));
    plan();
  }

  private void plan() {
    starts.add(startNanos);
    long bytes = 0;
    for (Chunk c : chunks) {
      if (bytes > 0 && bytes + c.bytes() > bytesPerWindow && c.startNanos() > last()) {
        starts.add(c.startNanos());
        bytes = 0;
      }
      long pieces = Math.max(1, (c.bytes() + bytesPerWindow - 1) / bytesPerWindow);
      for (long i = 1; i < pieces; i++) {
        long at = c.startNanos() + (c.endNanos() - c.startNanos()) * i / pieces;
        if (at > last()) {
          starts.add(at);
        }
      }
      bytes += c.bytes() / pieces;
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

  long bytesPerWindow() {
    return bytesPerWindow;
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
    if (bytesBetween(f, t) <= bytesPerWindow) {
      return new Window(-1, f, t, false);
    }
    // The latest end that keeps the window within the bound, found by halving.
    long lo = f;
    long hi = t;
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (bytesBetween(f, mid) <= bytesPerWindow) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return new Window(-1, f, Math.max(lo, Math.min(t, plannedAt(f).toNanos())), true);
  }

  /** The bytes of the file in {@code [from, to]}: each chunk in proportion to the time it shares. */
  long bytesBetween(long from, long to) {
    double bytes = 0;
    for (Chunk c : chunks) {
      long overlap = Math.min(to, c.endNanos()) - Math.max(from, c.startNanos());
      if (overlap >= 0) {
        long span = Math.max(1, c.endNanos() - c.startNanos());
        bytes += c.bytes() * Math.min(1.0, Math.max(overlap, 1) / (double) span);
      }
    }
    return (long) bytes;
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
