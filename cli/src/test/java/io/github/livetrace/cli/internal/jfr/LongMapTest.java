package io.github.livetrace.cli.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMapTest {
  @Test
  void behavesAsAHashMapThroughPutsAndRemovals() {
    Random random = new Random(7);
    LongMap<String> map = new LongMap<>();
    Map<Long, String> expected = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      // Few distinct keys, many of them colliding runs: removal must keep every run reachable.
      long key = random.nextInt(500) * (random.nextBoolean() ? 1L : 1L << 40);
      switch (random.nextInt(3)) {
        case 0:
          map.put(key, "v" + i);
          expected.put(key, "v" + i);
          break;
        case 1:
          assertEquals(expected.remove(key), map.remove(key), "remove " + key);
          break;
        default:
          assertEquals(expected.get(key), map.get(key), "get " + key);
      }
      assertEquals(expected.size(), map.size());
    }
    Map<Long, String> all = new HashMap<>();
    map.forEach(all::put);
    assertEquals(expected, all);
  }

  @Test
  void keysCanBeZeroAndNegative() {
    LongMap<String> map = new LongMap<>(2);
    map.put(0, "zero");
    map.put(-1, "minus one");
    map.put(Long.MIN_VALUE, "min");
    assertEquals("zero", map.get(0));
    assertEquals("minus one", map.get(-1));
    assertEquals("min", map.remove(Long.MIN_VALUE));
    assertNull(map.get(Long.MIN_VALUE));
  }
}
