package io.github.livetrace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoDurations() {
    assertEquals(Duration.ofMillis(100), Durations.parse("100ms"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250us"));
    assertEquals(Duration.ofNanos(7), Durations.parse("7ns"));
    assertEquals(Duration.ofHours(2), Durations.parse("2h"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofNanos(1_500_000), Durations.parse("1ms500us"));
    assertEquals(Duration.ofMillis(500), Durations.parse(".5s"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ofSeconds(1), Durations.parse(" 1s "), "surrounding blanks are ignored");
  }

  @Test
  void acceptsBothMicroSignsAndALeadingPlus() {
    assertEquals(250_000L, Durations.parseNanos("250\u00b5s"), "micro sign");
    assertEquals(250_000L, Durations.parseNanos("250\u03bcs"), "Greek mu");
    assertEquals(1_000_000_000L, Durations.parseNanos("+1s"));
    assertEquals(0L, Durations.parseNanos("+0"));
  }

  @Test
  void roundsFractionsOfANanosecondToTheNearest() {
    assertEquals(2L, Durations.parseNanos("1.5ns"));
    assertEquals(1L, Durations.parseNanos("1.4ns"));
    assertEquals(1_234_568L, Durations.parseNanos("1.2345678ms"));
  }

  @Test
  void rejectsWhatIsNotADurationQuotingItAndSayingWhatIsAccepted() {
    for (String bad : new String[] {
        "", "5", "10", "5parsecs", "-1s", "1.5", "1.5.5s", "s", "ms", "s5", "ms5", "1s 2s", "1 s",
        "+", "+-1s", "1S", "99999999999h"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    for (String bad : new String[] {"", "5", "5parsecs", "-1s", "1.5", "s", "1s 2s", "ms5"}) {
      String message = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad)).getMessage();
      assertTrue(message.contains(Durations.ACCEPTED), message);
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse("5parsecs"))
        .getMessage().contains("unknown unit 'parsecs'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"))
        .getMessage().contains("negative"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse("99999999999h"))
        .getMessage().contains("too long"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse(null))
        .getMessage().contains("''"));
  }

  @Test
  void formatsWithAboutThreeSignificantDigits() {
    assertEquals("850ns", Durations.format(850));
    assertEquals("12.3us", Durations.format(12_345));
    assertEquals("1ms", Durations.format(999_700), "rounds up into the next unit");
    assertEquals("4.56ms", Durations.format(4_560_000));
    assertEquals("50.2ms", Durations.format(50_200_000));
    assertEquals("250ms", Durations.format(250_000_000));
    assertEquals("1s", Durations.format(1_000_000_000L));
    assertEquals("1.5s", Durations.format(1_500_000_000L));
    assertEquals("2m5s", Durations.format(125_000_000_000L));
    assertEquals("2m3.5s", Durations.format(123_500_000_000L));
    assertEquals("1h2m3s", Durations.format(3_723_000_000_000L));
    assertEquals("-1.5s", Durations.format(-1_500_000_000L));
  }

  @Test
  void formatsADurationAsItsNanoseconds() {
    assertEquals("850ns", Durations.format(Duration.ofNanos(850)));
    assertEquals("12.3us", Durations.format(Duration.ofNanos(12_300)));
    assertEquals("4.56ms", Durations.format(Duration.ofNanos(4_560_000)));
    assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
    assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
    assertEquals("2m5s", Durations.format(Duration.ofSeconds(125)));
  }

  @Test
  void whatFormatWritesParsesBack() {
    for (long nanos : new long[] {0, 7, 850, 250_000, 4_560_000, 250_000_000, 1_500_000_000L, 125_000_000_000L, 3_723_000_000_000L}) {
      assertEquals(nanos, Durations.parseNanos(Durations.format(nanos)), () -> Durations.format(nanos));
    }
  }
}
