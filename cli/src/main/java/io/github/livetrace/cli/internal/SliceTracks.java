package io.github.livetrace.cli.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each slice of a thread on a track of that thread where it nests: the Trace Event Format
 * requires the complete slices of a track to nest, and Perfetto misdraws those that overlap. A
 * thread's slices nest unless its regions ended out of order (two requests served by one event
 * loop thread, the first ending before the second); a slice that cannot nest on the thread's own
 * track goes to the first of the thread's extra tracks where it does.
 *
 * <p>JFR writes a thread's events about in the order they end, so a slice mostly arrives after
 * the slices it encloses. Each track keeps its outermost slices so far, which are disjoint, in
 * order: a new slice fits when it lies inside one of them, or when each one it overlaps lies
 * inside it (they are then replaced by it). A slice arriving late, inside an outermost one, is
 * checked against that one only. A track keeps at most {@value #KEPT} slices: beyond, the two
 * oldest are merged into their span, which can only make the check stricter (a slice that
 * starts in the gap between them and ends after both then counts as overlapping).
 */
final class SliceTracks {
  static final int KEPT = 1024;

  /** Where a slice went. */
  record Placement(long tid, boolean extra) {}

  /** A track's outermost slices, disjoint, by start time. */
  private static final class Track {
    final long tid;
    long[] starts = new long[8];
    long[] ends = new long[8];
    int size;

    Track(long tid) {
      this.tid = tid;
    }

    boolean tryAdd(long start, long end) {
      int before = lastStartingAtOrBefore(start);
      if (before >= 0 && ends[before] > start) {
        if (ends[before] >= end) {
          return true; // inside an outermost slice
        }
        if (starts[before] < start) {
          return false; // began inside it and ends after it
        }
      }
      int first = before >= 0 && ends[before] > start ? before : before + 1; // the ones it encloses
      int last = first;
      while (last < size && starts[last] < end) {
        if (ends[last] > end) {
          return false; // begins inside it and ends after it
        }
        last++;
      }
      replace(first, last, start, end);
      if (size > KEPT) {
        ends[0] = Math.max(ends[0], ends[1]);
        System.arraycopy(starts, 2, starts, 1, size - 2);
        System.arraycopy(ends, 2, ends, 1, size - 2);
        size--;
      }
      return true;
    }

    private int lastStartingAtOrBefore(long start) {
      if (size > 0 && starts[size - 1] <= start) {
        return size - 1; // the common case: the slice is the latest
      }
      int low = 0;
      int high = size - 1;
      while (low <= high) {
        int middle = (low + high) >>> 1;
        if (starts[middle] <= start) {
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      return high;
    }

    /** Replaces the slices {@code [first, last)} with one. */
    private void replace(int first, int last, long start, long end) {
      int newSize = size - (last - first) + 1;
      if (newSize > starts.length) {
        starts = Arrays.copyOf(starts, 2 * newSize);
        ends = Arrays.copyOf(ends, 2 * newSize);
      }
      System.arraycopy(starts, last, starts, first + 1, size - last);
      System.arraycopy(ends, last, ends, first + 1, size - last);
      starts[first] = start;
      ends[first] = end;
      size = newSize;
    }
  }

  private final Map<Long, List<Track>> tracks = new LinkedHashMap<>(); // by the thread's own tid
  private long nextExtraTid;

  /** @param firstExtraTid the first tid of extra tracks, above every tid of a real thread */
  SliceTracks(long firstExtraTid) {
    this.nextExtraTid = firstExtraTid;
  }

  /** The track of thread {@code tid} that the slice {@code [start, end]} goes to. */
  Placement place(long tid, long start, long end) {
    List<Track> ofThread = tracks.computeIfAbsent(tid, t -> new ArrayList<>(List.of(new Track(t))));
    for (int i = 0; i < ofThread.size(); i++) {
      Track track = ofThread.get(i);
      if (track.tryAdd(start, end)) {
        return new Placement(track.tid, i > 0);
      }
    }
    Track extra = new Track(nextExtraTid++);
    extra.tryAdd(start, end);
    ofThread.add(extra);
    return new Placement(extra.tid, true);
  }

  /** The extra tracks of each thread that has some, by the thread's tid, in the order made. */
  Map<Long, List<Long>> extraTracks() {
    Map<Long, List<Long>> result = new LinkedHashMap<>();
    tracks.forEach((tid, ofThread) -> {
      if (ofThread.size() > 1) {
        List<Long> tids = new ArrayList<>();
        for (Track track : ofThread.subList(1, ofThread.size())) {
          tids.add(track.tid);
        }
        result.put(tid, tids);
      }
    });
    return result;
  }
}
