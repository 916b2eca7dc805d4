package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.util.List;

/**
 * The constant pools of one chunk that events need: threads and strings. Events refer to pool
 * entries by key; the pools are written in checkpoint events (type id 1), the last of which the
 * chunk header points to, each pointing to the one before by a relative offset (0 ends the chain).
 *
 * <p>A checkpoint is: size, type id 1, start time, duration, offset to the previous checkpoint, a
 * byte of flags, a count of pools, and per pool its type id, a count of entries and each entry as
 * a key and a value of that type. Every pool is walked, the ones not kept with {@link
 * ValueSkipper}, and the checkpoint must end exactly where its size says.
 *
 * <p>Analyses that need more than threads and strings (an export shows stack traces, class and
 * GC names) ask for the other pools to be {@linkplain #value resolvable}: then each entry's place
 * in a copy of its checkpoint is noted, and the entry decoded when first asked for.
 *
 * <p>Each chunk is read on its own, as the format intends. {@code RecordingFile} differs in one
 * respect: for a key that the previous chunk's pool held too, it keeps the value read there. The
 * values are the same unless a thread was renamed between the chunks, where this reader gives
 * each chunk's name and {@code RecordingFile} the older one; or unless the chunks are from two
 * JVMs, whose keys have nothing in common.
 */
final class ConstantPools {
  static final long CHECKPOINT_TYPE_ID = 1;

  /** A thread until the string pool its names may refer to is complete. */
  private static final class PendingThread {
    long javaThreadId = -1;
    long osThreadId = -1;
    Object javaName; // a String, or a Long key into the string pool
    Object osName;
    boolean virtual;
  }

  /** Thread keys are numbered from 1 by the JVM: most fit an array, which is looked up fastest. */
  private static final int MAX_ARRAY_KEY = 1 << 16;

  private final LongMap<JfrThread> threads = new LongMap<>();
  private JfrThread[] threadsByKey = new JfrThread[0]; // the keys below MAX_ARRAY_KEY
  private int[] indexesByKey = new int[0];
  private final StringPool strings = new StringPool();
  private final LongMap<Boolean> stackTraces = new LongMap<>(); // the keys of the pool, not its values
  /** With resolvable values: per type id, where each entry lies; null otherwise. */
  private final LongMap<LongMap<PooledValue>> values;
  private JfrType stackTraceType;
  private final RecordCursor valueReader = new RecordCursor();
  private final StringCache valueStrings = new StringCache();

  /** Where a pool entry's encoded value lies, and the value once decoded. */
  private static final class PooledValue {
    final byte[] source;
    final int offset;
    JfrObject value;

    PooledValue(byte[] source, int offset) {
      this.source = source;
      this.offset = offset;
    }
  }

  private ConstantPools(boolean resolvable) {
    this.values = resolvable ? new LongMap<>() : null;
  }

  /** The thread of that key; null for key 0 and for keys the chunk's pool does not hold. */
  JfrThread thread(long key) {
    if (key >= 0 && key < threadsByKey.length) {
      return threadsByKey[(int) key];
    }
    return threads.get(key);
  }

  /** {@link JfrThread#index()} of the thread of that key; 0 for no thread. */
  int threadIndex(long key) {
    if (key >= 0 && key < indexesByKey.length) {
      return indexesByKey[(int) key];
    }
    JfrThread thread = threads.get(key);
    return thread == null ? 0 : thread.index();
  }

  /**
   * Whether the chunk's stack trace pool has that key. An event can refer to a stack trace its
   * chunk lacks, and {@code RecordingFile} then says it has none; {@link EarlierStackTraces} says
   * why and where it is.
   */
  boolean hasStackTrace(long key) {
    return key != 0 && stackTraces.get(key) != null;
  }

  /** Whether the pools were read with {@linkplain #value resolvable} values. */
  boolean resolvesValues() {
    return values != null;
  }

  /** The stack trace of that key; null when the chunk lacks it or values are not resolvable. */
  JfrObject stackTrace(long key) {
    return stackTraceType == null || !hasStackTrace(key) ? null : value(stackTraceType, key);
  }

  /**
   * The value of {@code type} that the pool holds under {@code key}, decoded on first use; null
   * when the pool lacks it, or the pools were read without resolvable values.
   */
  JfrObject value(JfrType type, long key) {
    LongMap<PooledValue> pool = values == null ? null : values.get(type.id());
    PooledValue entry = pool == null ? null : pool.get(key);
    if (entry == null) {
      return null;
    }
    if (entry.value == null) {
      valueReader.reset(entry.source, entry.offset, entry.source.length);
      try {
        entry.value = readObject(valueReader, type, 0);
      } catch (JfrFormatException e) {
        // The entry was walked when the checkpoint was read, so its bytes are a value.
        throw new IllegalStateException("the " + type.name() + " pool entry " + key + " no longer reads", e);
      }
    }
    return entry.value;
  }

  private JfrObject readObject(RecordCursor in, JfrType type, int depth) throws JfrFormatException {
    if (depth > ValueSkipper.MAX_DEPTH) {
      throw new JfrFormatException("values of " + type.name() + " nest deeper than " + ValueSkipper.MAX_DEPTH);
    }
    List<JfrField> fields = type.fields();
    Object[] read = new Object[fields.size()];
    for (int i = 0; i < read.length; i++) {
      JfrField field = fields.get(i);
      if (field.array()) {
        Object[] elements = new Object[in.readCount("array ", field.name())];
        for (int k = 0; k < elements.length; k++) {
          elements[k] = readField(in, field, depth);
        }
        read[i] = elements;
      } else {
        read[i] = readField(in, field, depth);
      }
    }
    return new JfrObject(type, read, this);
  }

  private Object readField(RecordCursor in, JfrField field, int depth) throws JfrFormatException {
    JfrType type = field.type();
    if (field.constantPool()) {
      long key = in.readLong();
      if (type.kind() == JfrType.Kind.STRING) {
        return strings.get(key);
      }
      if (type.name().equals(Metadata.THREAD_TYPE)) {
        return thread(key);
      }
      return new JfrObject.PoolReference(type, key);
    }
    switch (type.kind()) {
      case LONG:
        return in.readLong();
      case INT:
        return (long) (int) in.readLong();
      case SHORT:
        return (long) (short) in.readLong();
      case CHAR:
        return (long) (char) in.readLong();
      case BYTE:
        return (long) in.readByte();
      case BOOLEAN:
        return in.readByte() != 0;
      case FLOAT:
        return (double) Float.intBitsToFloat(in.readRawInt());
      case DOUBLE:
        return Double.longBitsToDouble(in.readRawLong());
      case STRING:
        return in.readString(valueStrings, strings);
      case COMPOSITE:
        return readObject(in, type, depth + 1);
      default:
        throw new JfrFormatException("a value of " + field.name() + ", whose type is neither a primitive nor has fields");
    }
  }

  /** The string pool, for {@link RecordCursor#readString}. */
  StringPool strings() {
    return strings;
  }

  /**
   * Reads the checkpoints of the chunk at {@code chunkStart}.
   *
   * @param resolvable whether to note where every entry lies, for {@link #value}
   */
  static ConstantPools read(FileWindow window, RecordCursor in, long chunkStart, ChunkHeader header,
      Metadata metadata, boolean resolvable) throws IOException, JfrFormatException {
    ConstantPools pools = new ConstantPools(resolvable);
    LongMap<PendingThread> pendingThreads = new LongMap<>();
    StringCache cache = new StringCache();
    long chunkEnd = chunkStart + header.chunkSize();
    long position = chunkStart + header.constantPoolOffset();
    while (true) {
      int at = ChunkDecoder.openRecord(window, in, position, chunkEnd, "constant pool event");
      in.readLong(); // size
      long typeId = in.readLong();
      if (typeId != CHECKPOINT_TYPE_ID) {
        throw new JfrFormatException("expected a constant pool event (type id 1) at offset " + position
            + ", found type id " + typeId);
      }
      in.readLong(); // start time
      in.readLong(); // duration
      long delta = in.readLong();
      in.readByte(); // flags: whether it ends a flush, and what it holds
      try {
        pools.readPools(in, metadata, pendingThreads, cache, at);
      } catch (JfrFormatException e) {
        throw new JfrFormatException("the constant pool event at offset " + position + ": " + e.getMessage());
      }
      if (in.remaining() != 0) {
        throw new JfrFormatException("the constant pool event at offset " + position + " has " + in.remaining()
            + " bytes more than its pools");
      }
      if (delta == 0) {
        break;
      }
      long next = position + delta;
      if (delta > 0 || next < chunkStart + ChunkHeader.SIZE) {
        throw new JfrFormatException("the constant pool event at offset " + position
            + " points to a previous one at offset " + next + ", which is not before it in the chunk");
      }
      position = next;
    }
    pools.resolveThreads(pendingThreads);
    return pools;
  }

  /**
   * The pools of one checkpoint, whose record starts at {@code recordStart} in the cursor's
   * array.
   */
  private void readPools(RecordCursor in, Metadata metadata, LongMap<PendingThread> pendingThreads,
      StringCache cache, int recordStart) throws JfrFormatException {
    byte[] copy = values == null ? null : StringPool.copy(in.bytes(), recordStart, in.limit()); // strings need it too
    int poolCount = in.readCount("pools");
    for (int i = 0; i < poolCount; i++) {
      long typeId = in.readLong();
      JfrType type = metadata.type(typeId);
      if (type == null) {
        throw new JfrFormatException("a pool of type id " + typeId + ", which the metadata does not declare");
      }
      int count = in.readCount("entries of the " + type.name() + " pool");
      if (count == 0) {
        throw new JfrFormatException("the " + type.name() + " pool is empty");
      }
      try {
        if (type.kind() == JfrType.Kind.STRING) {
          if (copy == null) {
            copy = StringPool.copy(in.bytes(), recordStart, in.limit());
          }
          readStrings(in, count, copy, recordStart);
        } else if (type.name().equals(Metadata.THREAD_TYPE) && type.kind() == JfrType.Kind.COMPOSITE) {
          for (int j = 0; j < count; j++) {
            long key = in.readLong();
            pendingThreads.put(key, readThread(in, type, cache));
          }
        } else {
          boolean isStackTrace = type.name().equals(Metadata.STACK_TRACE_TYPE);
          if (isStackTrace) {
            stackTraceType = type;
          }
          LongMap<PooledValue> pool = null;
          if (values != null) {
            pool = values.get(typeId);
            if (pool == null) {
              pool = new LongMap<>();
              values.put(typeId, pool);
            }
          }
          for (int j = 0; j < count; j++) {
            long key = in.readLong();
            if (isStackTrace) {
              stackTraces.put(key, Boolean.TRUE);
            }
            if (pool != null) {
              pool.put(key, new PooledValue(copy, in.position() - recordStart));
            }
            ValueSkipper.skipValue(in, type);
          }
        }
      } catch (JfrFormatException e) {
        throw new JfrFormatException("the " + type.name() + " pool: " + e.getMessage());
      }
    }
  }

  /** Notes where each string lies in {@code copy}, whose index 0 is {@code recordStart}. */
  private void readStrings(RecordCursor in, int count, byte[] copy, int recordStart) throws JfrFormatException {
    for (int j = 0; j < count; j++) {
      long key = in.readLong();
      strings.add(key, copy, in.position() - recordStart);
      in.skipString();
    }
  }

  private static PendingThread readThread(RecordCursor in, JfrType type, StringCache cache) throws JfrFormatException {
    PendingThread thread = new PendingThread();
    for (JfrField field : type.fields()) {
      if (field.array()) {
        ValueSkipper.skipField(in, field);
        continue;
      }
      boolean inlineLong = field.type().kind() == JfrType.Kind.LONG && !field.constantPool();
      switch (field.name()) {
        case "javaName":
          thread.javaName = threadName(in, field, cache);
          break;
        case "osName":
          thread.osName = threadName(in, field, cache);
          break;
        case "javaThreadId":
          if (inlineLong) {
            thread.javaThreadId = in.readLong();
          } else {
            ValueSkipper.skipField(in, field);
          }
          break;
        case "osThreadId":
          if (inlineLong) {
            thread.osThreadId = in.readLong();
          } else {
            ValueSkipper.skipField(in, field);
          }
          break;
        case "virtual":
          if (field.type().kind() == JfrType.Kind.BOOLEAN && !field.constantPool()) {
            thread.virtual = in.readByte() != 0;
          } else {
            ValueSkipper.skipField(in, field);
          }
          break;
        default:
          ValueSkipper.skipField(in, field);
      }
    }
    return thread;
  }

  /** A name: a string, or the key of one in the string pool, which may not have been read yet. */
  private static Object threadName(RecordCursor in, JfrField field, StringCache cache) throws JfrFormatException {
    if (field.type().kind() != JfrType.Kind.STRING) {
      ValueSkipper.skipField(in, field);
      return null;
    }
    if (field.constantPool()) {
      return in.readLong();
    }
    if (in.peekByte() == RecordCursor.CONSTANT_POOL) {
      in.readByte();
      return in.readLong();
    }
    return in.readString(cache, null);
  }

  private void resolveThreads(LongMap<PendingThread> pendingThreads) {
    long[] largestKey = {0};
    pendingThreads.forEach((key, pending) -> {
      if (key != 0) { // events without a thread say 0: it must stay no thread
        threads.put(key, new JfrThread(pending.javaThreadId, pending.osThreadId, name(pending.javaName),
            name(pending.osName), pending.virtual, threads.size() + 1)); // indexes from 1
        largestKey[0] = Math.max(largestKey[0], key);
      }
    });
    threadsByKey = new JfrThread[(int) Math.min(MAX_ARRAY_KEY, largestKey[0] + 1)];
    indexesByKey = new int[threadsByKey.length];
    threads.forEach((key, thread) -> {
      if (key > 0 && key < threadsByKey.length) {
        threadsByKey[(int) (long) key] = thread;
        indexesByKey[(int) (long) key] = thread.index();
      }
    });
  }

  private String name(Object name) {
    return name instanceof Long ? strings.get((Long) name) : (String) name;
  }
}
