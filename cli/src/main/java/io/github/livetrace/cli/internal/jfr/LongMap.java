package io.github.livetrace.cli.internal.jfr;

import java.util.function.BiConsumer;

/**
 * A map from {@code long} to non-null values, open addressing with linear probing: constant-pool
 * keys, type ids and task ids are looked up for most events, and a {@code HashMap<Long, V>} would
 * box each key.
 */
public final class LongMap<V> {
  private long[] keys;
  private Object[] values; // null: a free slot
  private int size;

  public LongMap() {
    this(16);
  }

  public LongMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) * 2;
    keys = new long[capacity];
    values = new Object[capacity];
  }

  /** The value of {@code key}; null when there is none. */
  @SuppressWarnings("unchecked")
  public V get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      Object value = values[i];
      if (value == null || keys[i] == key) {
        return (V) value;
      }
    }
  }

  /** Adds or replaces. */
  public void put(long key, V value) {
    if (value == null) {
      throw new IllegalArgumentException("null value for key " + key);
    }
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (values[i] != null && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (values[i] == null) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
    if (size * 2 > keys.length) {
      grow();
    }
  }

  /**
   * Removes {@code key}; returns its value, null when there was none. The entries after it in
   * its run move back, so that lookups never meet a hole before the entry they look for.
   */
  @SuppressWarnings("unchecked")
  public V remove(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (values[i] != null && keys[i] != key) {
      i = (i + 1) & mask;
    }
    V removed = (V) values[i];
    if (removed == null) {
      return null;
    }
    int hole = i;
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      if (((j - home) & mask) >= ((j - hole) & mask)) { // the hole lies between its home and it
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = null;
    size--;
    return removed;
  }

  public int size() {
    return size;
  }

  /** Calls {@code action} with every entry, in no particular order. */
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<Long, V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldValues[j] != null) {
        int i = slot(oldKeys[j], mask);
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
