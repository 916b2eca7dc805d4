package io.github.livetrace.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The latency of a task or region type: percentiles, extremes and decades. */
class TypeStatsTest {
  private static final double[] FRACTIONS = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};

  @Test
  void percentilesAreWithinTheStatedRelativeErrorOverManyMagnitudes() {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      TraceSummary.TypeStats stats = new TraceSummary.TypeStats("t");
      long[] values = new long[1 + random.nextInt(5000)];
      for (int i = 0; i < values.length; i++) {
        values[i] = (long) Math.pow(10, random.nextDouble() * 11); // 1 ns to 100 s
        stats.record(values[i]);
      }
      Arrays.sort(values);
      for (double fraction : FRACTIONS) {
        long exact = values[(int) Math.max(1, Math.ceil(fraction * values.length)) - 1];
        long reported = stats.percentile(fraction);
        double error = Math.abs(reported - exact) / (double) exact * 100;
        assertTrue(error <= TraceSummary.RELATIVE_ERROR_PERCENT,
            "p" + fraction + " of " + values.length + ": exact " + exact + ", reported " + reported);
      }
      assertEquals(values[values.length - 1], stats.max());
      assertEquals(values[0], stats.min());
      assertEquals(values.length, stats.completed());
      assertEquals(Arrays.stream(values).sum() / values.length, stats.mean());
    }
  }

  @Test
  void smallValuesAreExact() {
    TraceSummary.TypeStats stats = new TraceSummary.TypeStats("t");
    for (long v = 0; v < 64; v++) {
      stats.record(v);
    }
    assertEquals(31, stats.percentile(0.5));
    assertEquals(63, stats.percentile(1.0));
    assertEquals(0, new TraceSummary.TypeStats("t").percentile(0.5), "empty");
  }

  /**
   * The view's chart counts each value in its own bucket, as the lists its bars link to (exact
   * ranges) find it, though the histogram's bucket of a value just above a bound begins below it;
   * a chart begins and ends with a bar that holds something.
   */
  @Test
  void bucketsBeginAndEndWithCountedOnes() {
    TraceSummary.TypeStats stats = new TraceSummary.TypeStats("t");
    for (int i = 0; i < TraceSummary.TypeStats.EXACT_VALUES * 10; i++) {
      stats.record(1_000);
    }
    stats.record(17_790); // 10^4.25 = 17,783 is a bound; the histogram's bucket of 17,790 begins at 17,664
    List<TraceSummary.Bucket> buckets = stats.buckets(TraceSummary.CHART_BUCKETS_PER_DECADE);
    assertTrue(buckets.get(0).count() > 0 && buckets.get(buckets.size() - 1).count() > 0, buckets::toString);
    assertEquals(new TraceSummary.Bucket(17_783, 31_623, 1), buckets.get(buckets.size() - 1));
    assertEquals(4, TraceSummary.CHART_BUCKETS_PER_DECADE);
    List<TraceSummary.Bucket> approximate = stats.buckets(2); // not counted as they come: the middle's bucket
    assertEquals(stats.completed(), approximate.stream().mapToLong(TraceSummary.Bucket::count).sum());
    assertTrue(approximate.get(approximate.size() - 1).count() > 0, approximate::toString);
    assertEquals(stats.completed(), buckets.stream().mapToLong(TraceSummary.Bucket::count).sum());
  }

  @Test
  void decadesCountEveryValueOnce() {
    TraceSummary.TypeStats stats = new TraceSummary.TypeStats("t");
    List<Long> values = List.of(5L, 50L, 5_000L, 5_000_000L, 5_000_000L, 2_000_000_000L);
    values.forEach(stats::record);
    List<TraceSummary.Bucket> decades = stats.decades();
    assertEquals(new TraceSummary.Bucket(0, 10, 1), decades.get(0));
    assertEquals(new TraceSummary.Bucket(1_000_000, 10_000_000, 2), decades.get(6));
    assertEquals(new TraceSummary.Bucket(1_000_000_000, 10_000_000_000L, 1), decades.get(decades.size() - 1));
    assertEquals(values.size(), decades.stream().mapToLong(TraceSummary.Bucket::count).sum());
  }
}
