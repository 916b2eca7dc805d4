package io.github.livetrace.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Latencies of one task or region type, in log-scale buckets, so that a trace of any size costs a
 * few kilobytes per type instead of a long per event.
 *
 * <p>Each power of two is split into {@value #BUCKETS_PER_OCTAVE} equal buckets, and values below
 * {@value #BUCKETS_PER_OCTAVE} ns have a bucket each. A percentile is reported as the middle of
 * the bucket where it falls, clamped to the smallest and largest value seen: it is within {@value
 * #RELATIVE_ERROR_PERCENT}% of the exact value (half a bucket width, 1/128 of the bucket's lower
 * bound), and exact below 64 ns, for the minimum and for the maximum. Percentiles use the
 * nearest-rank definition: p50 of n values is the value of rank ceil(0.5 n) in sorted order.
 *
 * <p>Octaves are allocated when first used; a type whose latencies span microseconds to seconds
 * touches about twenty of them.
 */
public final class LatencyHistogram {
  /** Buckets per power of two; the bucket width is at most 1/64 of its lower bound. */
  public static final int BUCKETS_PER_OCTAVE = 64;

  /** Bound of the relative error of a reported percentile, in percent (exactly 1/128). */
  public static final double RELATIVE_ERROR_PERCENT = 0.79;

  private static final int SUB_BITS = 6; // log2(BUCKETS_PER_OCTAVE)
  private static final int OCTAVES = 64 - SUB_BITS; // octave 0 holds 0..63, octave o >= 1 holds [2^(o+5), 2^(o+6))

  private final long[][] counts = new long[OCTAVES][];
  private long count;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;
  private long sum;

  /** Adds one latency; negative values count as 0. */
  public void record(long nanos) {
    long v = Math.max(0, nanos);
    int octave = octaveOf(v);
    long[] buckets = counts[octave];
    if (buckets == null) {
      buckets = counts[octave] = new long[BUCKETS_PER_OCTAVE];
    }
    buckets[subBucketOf(v, octave)]++;
    count++;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }

  /** Adds the values of {@code other}, as if each had been recorded here. */
  public void merge(LatencyHistogram other) {
    if (other.count == 0) {
      return;
    }
    for (int octave = 0; octave < OCTAVES; octave++) {
      long[] theirs = other.counts[octave];
      if (theirs == null) {
        continue;
      }
      long[] ours = counts[octave];
      if (ours == null) {
        ours = counts[octave] = new long[BUCKETS_PER_OCTAVE];
      }
      for (int sub = 0; sub < BUCKETS_PER_OCTAVE; sub++) {
        ours[sub] += theirs[sub];
      }
    }
    count += other.count;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    sum += other.sum;
  }

  public long count() {
    return count;
  }

  /** Smallest value recorded; 0 when empty. */
  public long min() {
    return count == 0 ? 0 : min;
  }

  /** Largest value recorded; 0 when empty. */
  public long max() {
    return count == 0 ? 0 : max;
  }

  /** Sum of all values, for the mean; saturates instead of overflowing. */
  public long sum() {
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  /**
   * The nearest-rank percentile, within {@link #RELATIVE_ERROR_PERCENT}% of the exact value.
   *
   * @param fraction 0.5 for the median, 0.99 for p99; 0 when the histogram is empty
   */
  public long percentile(double fraction) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(fraction * count));
    if (rank >= count) {
      return max;
    }
    long seen = 0;
    for (int octave = 0; octave < OCTAVES; octave++) {
      long[] buckets = counts[octave];
      if (buckets == null) {
        continue;
      }
      for (int sub = 0; sub < BUCKETS_PER_OCTAVE; sub++) {
        seen += buckets[sub];
        if (seen >= rank) {
          long low = lowerBound(octave, sub);
          long middle = low + (width(octave) - 1) / 2;
          return Math.max(min, Math.min(max, middle));
        }
      }
    }
    return max;
  }

  /**
   * Counts per decade ([1us, 10us), [10us, 100us), ...), from the smallest to the largest
   * non-empty one: the compact view Go's trace pages show. A fine bucket that straddles a decade
   * boundary is counted where its middle falls.
   */
  public List<Bucket> decades() {
    List<Bucket> result = new ArrayList<>();
    if (count == 0) {
      return result;
    }
    int lowestDecade = decadeOf(min);
    int highestDecade = decadeOf(max);
    long[] perDecade = new long[highestDecade - lowestDecade + 1];
    for (int octave = 0; octave < OCTAVES; octave++) {
      long[] buckets = counts[octave];
      if (buckets == null) {
        continue;
      }
      for (int sub = 0; sub < BUCKETS_PER_OCTAVE; sub++) {
        if (buckets[sub] != 0) {
          long middle = lowerBound(octave, sub) + (width(octave) - 1) / 2;
          int decade = Math.max(lowestDecade, Math.min(highestDecade, decadeOf(middle)));
          perDecade[decade - lowestDecade] += buckets[sub];
        }
      }
    }
    for (int i = 0; i < perDecade.length; i++) {
      int decade = lowestDecade + i;
      long from = decade == 0 ? 0 : pow10(decade);
      result.add(new Bucket(from, pow10(decade + 1), perDecade[i]));
    }
    return result;
  }

  /**
   * Values in {@code [fromNanos, toNanos)}.
   *
   * @param fromNanos inclusive lower bound
   * @param toNanos exclusive upper bound
   * @param count how many values fell in it
   */
  public record Bucket(long fromNanos, long toNanos, long count) {}

  // Bucket indexes by arithmetic, without tests: which way a test goes depends on the latencies,
  // and a way the JIT compiler has not seen yet costs a recompilation of the loop that records.

  private static int octaveOf(long v) {
    int highestBit = 63 - Long.numberOfLeadingZeros(v); // -1 for 0
    return Math.max(0, highestBit - SUB_BITS + 1);
  }

  private static int subBucketOf(long v, int octave) {
    return (int) (v >>> Math.max(0, octave - 1)) - (Math.min(octave, 1) << SUB_BITS);
  }

  private static long lowerBound(int octave, int sub) {
    return octave == 0 ? sub : (long) (BUCKETS_PER_OCTAVE + sub) << (octave - 1);
  }

  private static long width(int octave) {
    return octave == 0 ? 1 : 1L << (octave - 1);
  }

  /** 0 for values below 10, 1 for [10, 100), and so on. */
  private static int decadeOf(long v) {
    int decade = 0;
    long bound = 10;
    while (v >= bound && decade < 18) {
      decade++;
      bound *= 10;
    }
    return decade;
  }

  private static long pow10(int exponent) {
    if (exponent >= 19) {
      return Long.MAX_VALUE;
    }
    long p = 1;
    for (int i = 0; i < exponent; i++) {
      p *= 10;
    }
    return p;
  }
}
