package io.github.livetrace.cli.internal.jfr;

import java.util.Arrays;

/**
 * Events decoded from a stretch of one chunk, kept until the handler is given them all: an event
 * per index, its selected fields {@link #stride} slots apart.
 *
 * <p>Decoding and handling are two loops rather than one: the JIT compiler then compiles each on
 * its own, smaller and sooner, and a path the handler takes for the first time late in a trace
 * costs a recompilation of the handling loop only.
 *
 * <p>Batches are small: a method is compiled once it has been called often enough, or, for a
 * long-running loop, once the loop has run often enough, which compiles it a second time. With
 * few events per call, the handling loop is compiled once, as a method.
 */
final class EventBatch {
  static final int CAPACITY = 32;

  final EventLayout[] layouts = new EventLayout[CAPACITY];
  final long[] startTicks = new long[CAPACITY];
  final long[] durationTicks = new long[CAPACITY];
  final JfrThread[] threads = new JfrThread[CAPACITY];
  final int[] threadIndexes = new int[CAPACITY];
  final long[] stackTraceKeys = new long[CAPACITY];
  ConstantPools pools; // of the chunk the events are from
  EarlierStackTraces earlier; // null: none are looked for
  TimeBase time; // of the chunk the events are from
  int stride;
  long[] longs = new long[0];
  Object[] objects = new Object[0];
  int size;

  boolean isFull() {
    return size == CAPACITY;
  }

  /** Makes room for {@code slots} fields per event; only while the batch is empty. */
  void widen(int slots) {
    if (size != 0) {
      throw new IllegalStateException("a batch of " + size + " events cannot change its stride");
    }
    if (slots > stride) {
      stride = slots;
      longs = new long[CAPACITY * slots];
      objects = new Object[CAPACITY * slots];
    }
  }

  /** Forgets the events, and what they referred to: the chunk's pools are about to go. */
  void clear() {
    Arrays.fill(threads, 0, size, null);
    Arrays.fill(objects, 0, size * stride, null);
    size = 0;
  }
}
