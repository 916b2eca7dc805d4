package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.io.IOException;

/**
 * How many of the events the timeline draws ({@link ChromeTraceExport#shows}) end in each of
 * {@link #BUCKETS} equal slices of a trace's time: what {@link TimelineWindows} splits by, so that
 * a window's JSON stays within a bound wherever the events crowd. One pass over the trace on the
 * decoding threads, no field decoded; {@code BUCKETS} longs kept.
 */
final class EventDensity implements JfrEventHandler {
  /** Slices of the trace's time: 512 KB of counts, each slice 0.1 ms of a 7 s trace. */
  static final int BUCKETS = 1 << 16;

  private static final int SHOWN = 1;

  private final long startNanos;
  private final long bucketNanos;
  private final long[] counts = new long[BUCKETS];

  private EventDensity(long startNanos, long bucketNanos) {
    this.startNanos = startNanos;
    this.bucketNanos = bucketNanos;
  }

  /** Counts the events of every file of {@code fleet}. */
  static TimelineWindows.Density of(Fleet fleet) throws BadInputException, IOException {
    long start = fleet.startNanos();
    long bucket = Math.max(1, (fleet.endNanos() - start) / BUCKETS + 1);
    long[] total = new long[BUCKETS];
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new EventDensity(start, bucket), d -> {
        for (int i = 0; i < BUCKETS; i++) {
          total[i] += d.counts[i];
        }
      });
    }
    return new TimelineWindows.Density(start, bucket, total);
  }

  @Override
  public EventSelection select(JfrType type) {
    return EventSelection.of(ChromeTraceExport.shows(type) ? SHOWN : LivetraceEvents.OTHER);
  }

  @Override
  public void event(JfrEvent event) {
    if (event.tag() == SHOWN) {
      long i = (event.endNanos() - startNanos) / bucketNanos;
      counts[(int) Math.max(0, Math.min(BUCKETS - 1, i))]++;
    }
  }
}
