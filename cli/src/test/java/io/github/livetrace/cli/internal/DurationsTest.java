package io.github.livetrace.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @Test
  void parsesGoDurations() {
    assertEquals(100_000_000L, Durations.parseNanos("100ms"));
    assertEquals(1_500_000_000L, Durations.parseNanos("1.5s"));
    assertEquals(120_000_000_000L, Durations.parseNanos("2m"));
    assertEquals(250_000L, Durations.parseNanos("250us"));
    assertEquals(250_000L, Durations.parseNanos("250µs"));
    assertEquals(7L, Durations.parseNanos("7ns"));
    assertEquals(5_400_000_000_000L, Durations.parseNanos("1h30m"));
    assertEquals(1_500_000L, Durations.parseNanos("1ms500us"));
    assertEquals(500_000_000L, Durations.parseNanos(".5s"));
    assertEquals(0L, Durations.parseNanos("0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5parsecs", "", "ms", "10", "1.5.5s", "-1s", "1 s", "s5", "99999999999h"})
  void refusesWhatIsNotADuration(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void formatsWithAboutThreeSignificantDigits() {
    assertEquals("850ns", Durations.format(850));
    assertEquals("12.3us", Durations.format(12_345));
    assertEquals("1ms", Durations.format(999_700));
    assertEquals("50.2ms", Durations.format(50_200_000));
    assertEquals("1.5s", Durations.format(1_500_000_000L));
    assertEquals("2m3.5s", Durations.format(123_500_000_000L));
    assertEquals("1h2m3s", Durations.format(3_723_000_000_000L));
  }
}
