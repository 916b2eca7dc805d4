package io.github.livetrace.cli.internal.jfr;

/**
 * The event being handed to a {@link JfrEventHandler}: its type, the implicit fields that every
 * event type may have (start time, duration, thread, stack trace), and the fields the handler
 * selected for the type, by slot. One object shows each event in turn: valid only during the
 * call.
 *
 * <p>Fields of the kinds an analysis needs are decoded: integers and booleans ({@link
 * #longValue}), floating point ({@link #doubleValue}), strings ({@link #string}) and threads
 * ({@link #thread(int)}), and values of other pooled types ({@link #value}). A selected field that
 * the type lacks, or of another kind (an inline composite, an array), is absent: {@link #has} is
 * false and the value is 0 or null.
 */
public final class JfrEvent {
  private final EventBatch batch;
  int index; // of the event in the batch

  JfrEvent(EventBatch batch) {
    this.batch = batch;
  }

  public JfrType type() {
    return batch.layouts[index].type;
  }

  /** The tag the handler chose for the type in {@link EventSelection}. */
  public int tag() {
    return batch.layouts[index].tag;
  }

  /** Start time, nanoseconds since the epoch. */
  public long startNanos() {
    return batch.time.nanos(batch.startTicks[index]);
  }

  /** End time (start plus duration), nanoseconds since the epoch. */
  public long endNanos() {
    return batch.time.nanos(batch.startTicks[index] + batch.durationTicks[index]);
  }

  /** A span in ticks (a field of JFR's {@code Tickspan} type) in nanoseconds, at the chunk's tick rate. */
  public long ticksToNanos(long ticks) {
    return batch.time.spanNanos(ticks);
  }

  /** End minus start in nanoseconds; 0 for an instant event. */
  public long durationNanos() {
    return endNanos() - startNanos();
  }

  /** The thread that wrote the event; null when the type has none or the pool lacks it. */
  public JfrThread thread() {
    return batch.threads[index];
  }

  /**
   * {@link JfrThread#index()} of the thread that wrote the event; 0 when there is none. Counting
   * per thread in an array by this number needs no test for events without a thread.
   */
  public int threadIndex() {
    return batch.threadIndexes[index];
  }

  /**
   * Whether the event has a stack trace: one that its chunk's stack trace pool holds, or that of
   * the chunk it began in, where JDK 17 leaves the stack of a monitor enter that waited across a
   * rotation ({@link EarlierStackTraces}; {@code RecordingFile} shows none for those).
   */
  public boolean hasStackTrace() {
    return stackTracePools() != null;
  }

  /**
   * The stack trace (a {@code jdk.types.StackTrace}: {@code truncated}, {@code frames}), when the
   * type's selection asked for it and {@link #hasStackTrace}; else null.
   */
  public JfrObject stackTrace() {
    ConstantPools pools = batch.layouts[index].resolvesValues ? stackTracePools() : null;
    return pools == null ? null : pools.stackTrace(batch.stackTraceKeys[index]);
  }

  private ConstantPools stackTracePools() {
    long key = batch.stackTraceKeys[index];
    if (key == 0 || batch.pools.hasStackTrace(key)) {
      return key == 0 ? null : batch.pools;
    }
    return batch.earlier == null ? null
        : batch.earlier.holding(key, batch.startTicks[index], batch.pools.resolvesValues());
  }

  /**
   * A selected field of a pooled composite type other than a thread (a class, a GC name...);
   * null when absent or missing from the chunk's pools.
   */
  public JfrObject value(int slot) {
    JfrType type = batch.layouts[index].pooledType(slot);
    return type == null ? null : batch.pools.value(type, longValue(slot));
  }

  /** Whether the selected field of that slot is in this event type and was decoded. */
  public boolean has(int slot) {
    return batch.layouts[index].has(slot);
  }

  /** An integer or boolean (1 for true) field; 0 when absent. */
  public long longValue(int slot) {
    return batch.longs[index * batch.stride + slot];
  }

  /** A {@code float} or {@code double} field; 0 when absent. */
  public double doubleValue(int slot) {
    return Double.longBitsToDouble(longValue(slot));
  }

  /** A string field; null when absent, null in the event, or a pool key the chunk lacks. */
  public String string(int slot) {
    Object value = batch.objects[index * batch.stride + slot];
    return value instanceof String ? (String) value : null;
  }

  /** A thread field other than the event's own thread; null when absent or 0. */
  public JfrThread thread(int slot) {
    Object value = batch.objects[index * batch.stride + slot];
    return value instanceof JfrThread ? (JfrThread) value : null;
  }
}
