package io.github.livetrace.cli.internal.jfr;

/**
 * The layouts of one metadata's event types, by type id, looked up for almost every record: in an
 * array while ids are small, as the JDK's are (a few thousand), in a {@link LongMap} beyond.
 */
final class EventLayouts {
  private static final int MAX_ARRAY_ID = 1 << 16;

  private EventLayout[] small = new EventLayout[256];
  private final LongMap<EventLayout> large = new LongMap<>();
  private boolean resolvesValues;

  /** Whether some layout needs the chunk's pools resolvable. */
  boolean resolvesValues() {
    return resolvesValues;
  }

  /** The layout of that type id; null when none was added. */
  EventLayout get(long typeId) {
    if (typeId >= 0 && typeId < small.length) {
      return small[(int) typeId];
    }
    return typeId >= MAX_ARRAY_ID || typeId < 0 ? large.get(typeId) : null;
  }

  void put(long typeId, EventLayout layout) {
    resolvesValues |= layout.resolvesValues;
    if (typeId >= 0 && typeId < MAX_ARRAY_ID) {
      if (typeId >= small.length) {
        EventLayout[] grown = new EventLayout[Math.min(MAX_ARRAY_ID, Integer.highestOneBit((int) typeId) * 2)];
        System.arraycopy(small, 0, grown, 0, small.length);
        small = grown;
      }
      small[(int) typeId] = layout;
    } else {
      large.put(typeId, layout);
    }
  }
}
