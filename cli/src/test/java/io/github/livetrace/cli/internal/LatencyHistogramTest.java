package io.github.livetrace.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  private static final double[] FRACTIONS = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};

  @Test
  void percentilesAreWithinTheStatedRelativeErrorOverManyMagnitudes() {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      LatencyHistogram histogram = new LatencyHistogram();
      long[] values = new long[1 + random.nextInt(5000)];
      for (int i = 0; i < values.length; i++) {
        values[i] = (long) Math.pow(10, random.nextDouble() * 11); // 1 ns to 100 s
        histogram.record(values[i]);
      }
      Arrays.sort(values);
      for (double fraction : FRACTIONS) {
        long exact = values[(int) Math.max(1, Math.ceil(fraction * values.length)) - 1];
        long reported = histogram.percentile(fraction);
        double error = Math.abs(reported - exact) / (double) exact * 100;
        assertTrue(error <= LatencyHistogram.RELATIVE_ERROR_PERCENT,
            "p" + fraction + " of " + values.length + ": exact " + exact + ", reported " + reported);
      }
      assertEquals(values[values.length - 1], histogram.max());
      assertEquals(values[0], histogram.min());
      assertEquals(values.length, histogram.count());
    }
  }

  @Test
  void smallValuesAreExact() {
    LatencyHistogram histogram = new LatencyHistogram();
    for (long v = 0; v < 64; v++) {
      histogram.record(v);
    }
    assertEquals(31, histogram.percentile(0.5));
    assertEquals(63, histogram.percentile(1.0));
    assertEquals(0, new LatencyHistogram().percentile(0.5), "empty");
  }

  @Test
  void decadesCountEveryValueOnce() {
    LatencyHistogram histogram = new LatencyHistogram();
    List<Long> values = List.of(5L, 50L, 5_000L, 5_000_000L, 5_000_000L, 2_000_000_000L);
    values.forEach(histogram::record);
    List<LatencyHistogram.Bucket> decades = histogram.decades();
    assertEquals(new LatencyHistogram.Bucket(0, 10, 1), decades.get(0));
    assertEquals(new LatencyHistogram.Bucket(1_000_000, 10_000_000, 2), decades.get(6));
    assertEquals(new LatencyHistogram.Bucket(1_000_000_000, 10_000_000_000L, 1), decades.get(decades.size() - 1));
    assertEquals(values.size(), decades.stream().mapToLong(LatencyHistogram.Bucket::count).sum());
  }
}
