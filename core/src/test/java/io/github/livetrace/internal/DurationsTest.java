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
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250us"));
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250\u00b5s"));
    assertEquals(Duration.ofHours(2), Durations.parse("2h"));
    assertEquals(Duration.ofMillis(500), Durations.parse(".5s"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
  }

  @Test
  void rejectsWhatIsNotADurationSayingWhatIsAccepted() {
    for (String bad : new String[] {"", "5", "5parsecs", "-1s", "1.5", "s", "1s 2s", "ms5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
      assertTrue(e.getMessage().contains("ms"), e.getMessage());
    }
  }

  @Test
  void formatsShortly() {
    assertEquals("850ns", Durations.format(Duration.ofNanos(850)));
    assertEquals("12.3us", Durations.format(Duration.ofNanos(12_300)));
    assertEquals("4.56ms", Durations.format(Duration.ofNanos(4_560_000)));
    assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
    assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
    assertEquals("2m5s", Durations.format(Duration.ofSeconds(125)));
  }
}
