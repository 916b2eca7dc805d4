package io.github.livetrace.cli.internal.jfr;

import java.util.Arrays;

/**
 * A chunk's {@code java.lang.String} constant pool, decoded on demand: a trace can hold a pool
 * entry for every log message, and an analysis that reads no message should not pay for them.
 * Reading a checkpoint only notes where each entry's encoded string lies, in a copy of the
 * checkpoint's bytes; {@link #get} decodes an entry the first time it is asked for.
 */
final class StringPool {
  /** An entry that refers to another entry, and so on: past this many hops, a loop. */
  private static final int MAX_REFERENCE_HOPS = 8;

  private final StringCache cache = new StringCache();
  private final RecordCursor in = new RecordCursor();
  private final LongMap<Entry> entries = new LongMap<>();

  /** Where an entry's encoded string lies, and the string once decoded. */
  private static final class Entry {
    final byte[] source;
    final int offset;
    String value;
    boolean decoded;

    Entry(byte[] source, int offset) {
      this.source = source;
      this.offset = offset;
    }
  }

  /** A copy of a checkpoint's bytes, for entries to point into: the window moves on. */
  static byte[] copy(byte[] bytes, int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }

  /** Adds (or, as the JDK does, replaces) the entry of {@code key}, encoded at {@code offset}. */
  void add(long key, byte[] source, int offset) {
    entries.put(key, new Entry(source, offset));
  }

  /** The string of {@code key}; null when the pool has no such entry, or it is null. */
  String get(long key) {
    return get(key, 0);
  }

  private String get(long key, int hops) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (!entry.decoded) {
      entry.value = decode(entry, hops);
      entry.decoded = true;
    }
    return entry.value;
  }

  private String decode(Entry entry, int hops) {
    in.reset(entry.source, entry.offset, entry.source.length);
    try {
      if (in.peekByte() == RecordCursor.CONSTANT_POOL) {
        in.readByte();
        long other = in.readLong();
        return hops < MAX_REFERENCE_HOPS ? get(other, hops + 1) : null;
      }
      return in.readString(cache, null);
    } catch (JfrFormatException e) {
      // The entry was walked when the checkpoint was read, so its bytes are a string.
      throw new IllegalStateException("string pool entry at " + entry.offset + " no longer reads", e);
    }
  }
}
