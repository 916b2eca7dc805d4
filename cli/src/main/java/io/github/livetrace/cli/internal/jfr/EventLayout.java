package io.github.livetrace.cli.internal.jfr;

import java.util.Arrays;
import java.util.List;

/**
 * How to decode the events of one type for one handler: an operation per field, in the order the
 * metadata declares the fields, up to the last field needed. What follows that field is not
 * read at all: the record's size says where the next event starts.
 *
 * <p>The implicit fields are found by name, wherever the metadata puts them, and are always
 * decoded. In practice they come first, in the order {@code startTime}, {@code duration} (for
 * events with a duration), {@code eventThread}, {@code stackTrace} (for types that can record
 * one): those leading ones are read by a loop over their count, the rest by operations.
 */
final class EventLayout {
  private static final byte NOT_NEEDED = 0; // not read, unless a later field is needed
  private static final byte START_TIME = 1;
  private static final byte DURATION = 2;
  private static final byte EVENT_THREAD = 3;
  private static final byte STACK_TRACE = 4;
  private static final byte SLOT_LONG = 5;
  private static final byte SLOT_INT = 6;
  private static final byte SLOT_SHORT = 7;
  private static final byte SLOT_CHAR = 8;
  private static final byte SLOT_BYTE = 9;
  private static final byte SLOT_BOOLEAN = 10;
  private static final byte SLOT_FLOAT = 11;
  private static final byte SLOT_DOUBLE = 12;
  private static final byte SLOT_STRING = 13;
  private static final byte SLOT_STRING_KEY = 14;
  private static final byte SLOT_THREAD_KEY = 15;
  private static final byte SLOT_POOL_KEY = 20; // of another pooled type: resolved when asked for
  // Passing over a field before the last one needed: the common kinds without a method call.
  private static final byte PASS_VARINT = 16;
  private static final byte PASS_BYTE = 17;
  private static final byte PASS_STRING = 18;
  private static final byte PASS_OTHER = 19;

  final JfrType type;
  final int tag;
  final int slotCount;
  /** Whether events need the chunk's pools resolvable: for stack traces or pooled values. */
  final boolean resolvesValues;
  private final JfrType[] pooledTypes; // per slot: the type of a SLOT_POOL_KEY field
  private final byte[] operations;
  private final int[] slots;
  private final JfrField[] fields;
  private final boolean[] present;
  private final int[] absent; // slots to clear for every event
  // The leading implicit fields: how many (the operations for the other fields start there), and
  // where each is among them (NONE when absent).
  static final int NONE = 4;
  private final int leadingCount;
  private final int startTimeIndex;
  private final int durationIndex;
  private final int threadIndex;
  private final int stackTraceIndex;

  private EventLayout(JfrType type, int tag, int slotCount, byte[] operations, int[] slots, boolean[] present,
      JfrType[] pooledTypes, boolean stackTrace) {
    this.type = type;
    this.tag = tag;
    this.slotCount = slotCount;
    this.pooledTypes = pooledTypes;
    boolean pooled = false;
    for (JfrType pooledType : pooledTypes) {
      pooled |= pooledType != null;
    }
    this.resolvesValues = stackTrace || pooled;
    this.operations = operations;
    this.slots = slots;
    int lead = 0;
    startTimeIndex = lead < operations.length && operations[lead] == START_TIME ? lead++ : NONE;
    durationIndex = lead < operations.length && operations[lead] == DURATION ? lead++ : NONE;
    threadIndex = lead < operations.length && operations[lead] == EVENT_THREAD ? lead++ : NONE;
    stackTraceIndex = lead < operations.length && operations[lead] == STACK_TRACE ? lead++ : NONE;
    this.leadingCount = lead;
    this.fields = type.fields().toArray(new JfrField[0]);
    this.present = present;
    int[] missing = new int[slotCount];
    int n = 0;
    for (int slot = 0; slot < slotCount; slot++) {
      if (!present[slot]) {
        missing[n++] = slot;
      }
    }
    this.absent = Arrays.copyOf(missing, n);
  }

  static EventLayout of(JfrType type, EventSelection selection) {
    List<JfrField> all = type.fields();
    byte[] operations = new byte[all.size()];
    int[] slots = new int[all.size()];
    List<String> wanted = selection.fields();
    boolean[] present = new boolean[wanted.size()];
    JfrType[] pooledTypes = new JfrType[wanted.size()];
    int needed = 0;
    for (int i = 0; i < all.size(); i++) {
      JfrField field = all.get(i);
      byte operation = implicit(field);
      int slot = wanted.indexOf(field.name());
      if (operation == NOT_NEEDED && slot >= 0) {
        operation = selected(field);
        if (operation != NOT_NEEDED) {
          slots[i] = slot;
          present[slot] = true;
          if (operation == SLOT_POOL_KEY) {
            pooledTypes[slot] = field.type();
          }
        }
      }
      operations[i] = operation;
      if (operation != NOT_NEEDED) {
        needed = i + 1;
      }
    }
    for (int i = 0; i < needed; i++) {
      if (operations[i] == NOT_NEEDED) {
        operations[i] = pass(all.get(i));
      }
    }
    return new EventLayout(type, selection.tag(), wanted.size(), Arrays.copyOf(operations, needed), slots, present,
        pooledTypes, selection.stackTrace());
  }

  private static byte pass(JfrField field) {
    if (field.array()) {
      return PASS_OTHER;
    }
    if (field.constantPool()) {
      return PASS_VARINT;
    }
    switch (field.type().kind()) {
      case LONG:
      case INT:
      case SHORT:
      case CHAR:
        return PASS_VARINT;
      case BYTE:
      case BOOLEAN:
        return PASS_BYTE;
      case STRING:
        return PASS_STRING;
      default:
        return PASS_OTHER;
    }
  }

  private static byte implicit(JfrField field) {
    if (field.array()) {
      return NOT_NEEDED;
    }
    JfrType.Kind kind = field.type().kind();
    switch (field.name()) {
      case "startTime":
        return kind == JfrType.Kind.LONG && !field.constantPool() ? START_TIME : NOT_NEEDED;
      case "duration":
        return kind == JfrType.Kind.LONG && !field.constantPool() ? DURATION : NOT_NEEDED;
      case "eventThread":
        return field.constantPool() && field.type().name().equals(Metadata.THREAD_TYPE) ? EVENT_THREAD : NOT_NEEDED;
      case "stackTrace":
        return field.constantPool() ? STACK_TRACE : NOT_NEEDED;
      default:
        return NOT_NEEDED;
    }
  }

  private static byte selected(JfrField field) {
    if (field.array()) {
      return NOT_NEEDED;
    }
    if (field.constantPool()) {
      switch (field.type().kind()) {
        case STRING:
          return SLOT_STRING_KEY;
        case COMPOSITE:
          return field.type().name().equals(Metadata.THREAD_TYPE) ? SLOT_THREAD_KEY : SLOT_POOL_KEY;
        default:
          return NOT_NEEDED;
      }
    }
    switch (field.type().kind()) {
      case LONG:
        return SLOT_LONG;
      case INT:
        return SLOT_INT;
      case SHORT:
        return SLOT_SHORT;
      case CHAR:
        return SLOT_CHAR;
      case BYTE:
        return SLOT_BYTE;
      case BOOLEAN:
        return SLOT_BOOLEAN;
      case FLOAT:
        return SLOT_FLOAT;
      case DOUBLE:
        return SLOT_DOUBLE;
      case STRING:
        return SLOT_STRING;
      default:
        return NOT_NEEDED;
    }
  }

  /** The type of a selected pooled field other than a thread or string; null for other slots. */
  JfrType pooledType(int slot) {
    return pooledTypes[slot];
  }

  /** Whether the selected field of that slot is in the type, of a kind that is decoded. */
  boolean has(int slot) {
    return present[slot];
  }

  /**
   * Decodes the payload that {@code in} is positioned at into the next event of {@code batch},
   * whose stride holds this layout's slots.
   */
  void decode(RecordCursor in, EventBatch batch, long[] leading, ConstantPools pools, StringCache strings)
      throws JfrFormatException {
    int i = batch.size;
    batch.layouts[i] = this;
    // A loop and indexes rather than a test per field: whether a field is there depends on the
    // type, and a test the JIT compiler has seen go one way only is compiled for that way alone,
    // then thrown away when an event of another type comes.
    for (int k = 0; k < leadingCount; k++) {
      leading[k] = in.readLong();
    }
    batch.startTicks[i] = leading[startTimeIndex];
    batch.durationTicks[i] = leading[durationIndex];
    long threadKey = leading[threadIndex];
    batch.threads[i] = pools.thread(threadKey);
    batch.threadIndexes[i] = pools.threadIndex(threadKey);
    batch.stackTraceKeys[i] = leading[stackTraceIndex];
    decodeFields(in, batch, i, pools, strings); // often nothing: called anyway, rather than tested
    batch.size = i + 1;
  }

  /** The fields after the leading implicit ones, up to the last one needed. */
  private void decodeFields(RecordCursor in, EventBatch batch, int event, ConstantPools pools, StringCache strings)
      throws JfrFormatException {
    long[] longs = batch.longs;
    Object[] objects = batch.objects;
    int first = event * batch.stride;
    for (int slot : absent) {
      longs[first + slot] = 0;
      objects[first + slot] = null;
    }
    byte[] operations = this.operations;
    for (int i = leadingCount; i < operations.length; i++) {
      switch (operations[i]) {
        case START_TIME:
          batch.startTicks[event] = in.readLong();
          break;
        case DURATION:
          batch.durationTicks[event] = in.readLong();
          break;
        case EVENT_THREAD: {
          long key = in.readLong();
          batch.threads[event] = pools.thread(key);
          batch.threadIndexes[event] = pools.threadIndex(key);
          break;
        }
        case STACK_TRACE:
          batch.stackTraceKeys[event] = in.readLong();
          break;
        case SLOT_LONG:
          longs[first + slots[i]] = in.readLong();
          break;
        case SLOT_INT:
          longs[first + slots[i]] = (int) in.readLong();
          break;
        case SLOT_SHORT:
          longs[first + slots[i]] = (short) in.readLong();
          break;
        case SLOT_CHAR:
          longs[first + slots[i]] = (char) in.readLong();
          break;
        case SLOT_BYTE:
          longs[first + slots[i]] = in.readByte();
          break;
        case SLOT_BOOLEAN:
          longs[first + slots[i]] = in.readByte() != 0 ? 1 : 0;
          break;
        case SLOT_FLOAT:
          longs[first + slots[i]] = Double.doubleToRawLongBits(Float.intBitsToFloat(in.readRawInt()));
          break;
        case SLOT_DOUBLE:
          longs[first + slots[i]] = in.readRawLong();
          break;
        case SLOT_STRING:
          objects[first + slots[i]] = in.readString(strings, pools.strings());
          break;
        case SLOT_STRING_KEY:
          objects[first + slots[i]] = pools.strings().get(in.readLong());
          break;
        case SLOT_THREAD_KEY:
          objects[first + slots[i]] = pools.thread(in.readLong());
          break;
        case SLOT_POOL_KEY:
          longs[first + slots[i]] = in.readLong();
          break;
        case PASS_VARINT:
          in.readLong();
          break;
        case PASS_BYTE:
          in.skip(1);
          break;
        case PASS_STRING:
          in.skipString();
          break;
        default:
          ValueSkipper.skipField(in, fields[i]);
      }
    }
  }
}
