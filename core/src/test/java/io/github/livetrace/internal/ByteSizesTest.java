package io.github.livetrace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
  @Test
  void parsesSizesAsSpringsDataSizeDoes() {
    assertEquals(1048576, ByteSizes.parse("1048576"));
    assertEquals(10L << 20, ByteSizes.parse("10MB"));
    assertEquals(10L << 20, ByteSizes.parse(" 10 mb "));
    assertEquals(512L << 10, ByteSizes.parse("512KB"));
    assertEquals(2L << 30, ByteSizes.parse("2GB"));
    assertEquals(100, ByteSizes.parse("100B"));
  }

  @Test
  void refusesWhatIsNotASizeSayingWhatIs() {
    for (String bad : new String[] {"", "MB", "-1MB", "1.5MB", "10 TB", "lots", null}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(bad), String.valueOf(bad));
      assertTrue(e.getMessage().contains("KB, MB or GB"), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("9999999999999999999GB")).getMessage().contains("too large"));
  }

  @Test
  void formatsInTheLargestUnitThatDividesTheSize() {
    assertEquals("10MB", ByteSizes.format(10L << 20));
    assertEquals("1536KB", ByteSizes.format(1536L << 10));
    assertEquals("1GB", ByteSizes.format(1L << 30));
    assertEquals("100B", ByteSizes.format(100));
    assertEquals("0B", ByteSizes.format(0));
  }
}
