package io.github.livetrace.cli.internal.jfr;

/**
 * Reads the values of one JFR record from a byte array, never past the record's end: a damaged
 * record is a {@link JfrFormatException}, not an index error or a read into the next record.
 *
 * <p>Integers ({@code long}, {@code int}, {@code short}, {@code char}, sizes, counts, ids and
 * constant-pool keys) are unsigned little-endian base-128 varints when the chunk header says
 * "compressed integers", which JDK 11 and later always do: seven bits per byte, high bit set when
 * another byte follows, and a ninth byte, if any, that carries all eight of its bits. Narrower
 * types are the varint cut to their width. {@code byte} and {@code boolean} are one raw byte,
 * {@code float} and {@code double} raw big-endian bits.
 *
 * <p>A string starts with an encoding byte: {@value #NULL} null, {@value #EMPTY} empty, {@value
 * #CONSTANT_POOL} a varint key into the chunk's {@code java.lang.String} pool, {@value #UTF8}
 * and {@value #LATIN1} a varint byte count and the bytes, {@value #CHAR_ARRAY} a varint char count
 * and one varint per UTF-16 char.
 */
final class RecordCursor {
  static final byte NULL = 0;
  static final byte EMPTY = 1;
  static final byte CONSTANT_POOL = 2;
  static final byte UTF8 = 3;
  static final byte CHAR_ARRAY = 4;
  static final byte LATIN1 = 5;

  /** The longest varint: eight bytes of seven bits and one of eight. */
  static final int MAX_VARINT_BYTES = 9;

  private byte[] bytes;
  private int position;
  private int limit;

  /** Reads {@code bytes[position, limit)}. */
  void reset(byte[] bytes, int position, int limit) {
    this.bytes = bytes;
    this.position = position;
    this.limit = limit;
  }

  /** Moves the end, within the same array: once a record's size is known. */
  void limit(int limit) {
    this.limit = limit;
  }

  int position() {
    return position;
  }

  int limit() {
    return limit;
  }

  byte[] bytes() {
    return bytes;
  }

  int remaining() {
    return limit - position;
  }

  long readLong() throws JfrFormatException {
    // One loop that checks every byte against the limit, rather than a faster path when nine
    // bytes are left and a slower one near the end: the JIT compiler would compile the slower one
    // out, and the first number near the end of a record or window would cost a recompilation.
    byte[] b = bytes;
    int p = position;
    int end = limit;
    long result = 0;
    for (int shift = 0; shift < 56; shift += 7) {
      if (p >= end) {
        throw pastTheEnd();
      }
      byte next = b[p++];
      result |= (next & 0x7FL) << shift;
      if (next >= 0) {
        position = p;
        return result;
      }
    }
    if (p >= end) {
      throw pastTheEnd();
    }
    position = p + 1;
    return result | (b[p] & 0xFFL) << 56;
  }

  private static JfrFormatException pastTheEnd() {
    return new JfrFormatException("a number runs past the end of its record");
  }

  int readInt() throws JfrFormatException {
    return (int) readLong();
  }

  /**
   * A count of things that follow, each at least a byte long: more than the bytes left means
   * damage, and refusing it keeps a damaged count from allocating or looping for nothing.
   */
  int readCount(String what) throws JfrFormatException {
    return readCount(what, "");
  }

  /**
   * {@link #readCount(String)} of {@code what + name}, joined only for the error: for the hot
   * paths, which must not build a string per value.
   */
  int readCount(String what, String name) throws JfrFormatException {
    long count = readLong();
    if (count < 0 || count > remaining()) {
      throw new JfrFormatException(what + name + ": a count of " + count + " with " + remaining() + " bytes left");
    }
    return (int) count;
  }

  byte readByte() throws JfrFormatException {
    if (position >= limit) {
      throw new JfrFormatException("a byte past the end of its record");
    }
    return bytes[position++];
  }

  /** The next byte, left unread. */
  byte peekByte() throws JfrFormatException {
    if (position >= limit) {
      throw new JfrFormatException("a byte past the end of its record");
    }
    return bytes[position];
  }

  void skip(int count) throws JfrFormatException {
    if (count < 0 || count > remaining()) {
      throw new JfrFormatException("a value of " + count + " bytes runs past the end of its record");
    }
    position += count;
  }

  long readRawLong() throws JfrFormatException {
    long high = readRawInt() & 0xFFFFFFFFL;
    return high << 32 | (readRawInt() & 0xFFFFFFFFL);
  }

  int readRawInt() throws JfrFormatException {
    if (remaining() < 4) {
      throw new JfrFormatException("a value of 4 bytes runs past the end of its record");
    }
    byte[] b = bytes;
    int p = position;
    position = p + 4;
    return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
  }

  /**
   * Reads a string. A constant-pool reference is looked up in {@code pool} (null when the key is
   * missing); inline strings go through {@code cache}, so that the same text read again is the
   * same {@code String}.
   */
  String readString(StringCache cache, StringPool pool) throws JfrFormatException {
    byte encoding = readByte();
    switch (encoding) {
      case NULL:
        return null;
      case EMPTY:
        return "";
      case CONSTANT_POOL:
        return pool == null ? null : pool.get(readLong());
      case UTF8:
      case LATIN1: {
        int count = readCount("string bytes");
        int start = position;
        position += count;
        if (count <= StringCache.WORD_BYTES && start + StringCache.WORD_BYTES <= bytes.length) {
          return cache.shortString(encoding, bytes, start, count);
        }
        return cache.decode(encoding, bytes, start, position, count);
      }
      case CHAR_ARRAY:
        return charArray(cache);
      default:
        throw new JfrFormatException("unknown string encoding " + encoding);
    }
  }

  /**
   * A string of varint chars. Most are ASCII, one byte per char: short ones are found by their
   * bytes as words, longer ones hashed for the cache in the same pass that finds their end.
   */
  private String charArray(StringCache cache) throws JfrFormatException {
    int count = readCount("string chars");
    byte[] b = bytes;
    int start = position;
    if (count <= StringCache.WORD_BYTES && start + StringCache.WORD_BYTES <= b.length) {
      String ascii = cache.shortString(CHAR_ARRAY, b, start, count);
      if (ascii != null) {
        position = start + count;
        return ascii;
      }
    }
    int end = start + count;
    int hash = CHAR_ARRAY;
    int p = start;
    while (p < end && b[p] >= 0) {
      hash = 31 * hash + b[p];
      p++;
    }
    if (p == end) {
      position = end;
      return cache.lookup(CHAR_ARRAY, b, start, end, count, hash);
    }
    position = endOfVarints(start, count);
    return cache.decode(CHAR_ARRAY, b, start, position, count);
  }

  void skipString() throws JfrFormatException {
    byte encoding = readByte();
    switch (encoding) {
      case NULL:
      case EMPTY:
        return;
      case CONSTANT_POOL:
        readLong();
        return;
      case UTF8:
      case LATIN1: {
        int count = readCount("string bytes");
        position += count;
        return;
      }
      case CHAR_ARRAY: {
        int count = readCount("string chars");
        position = endOfVarints(position, count);
        return;
      }
      default:
        throw new JfrFormatException("unknown string encoding " + encoding);
    }
  }

  /** Where {@code count} varints that start at {@code from} end. */
  private int endOfVarints(int from, int count) throws JfrFormatException {
    byte[] b = bytes;
    int p = from;
    for (int i = 0; i < count; i++) {
      int bytesOfThisOne = 0;
      byte next;
      do {
        if (p >= limit) {
          throw new JfrFormatException("a string runs past the end of its record");
        }
        next = b[p++];
        bytesOfThisOne++;
      } while (next < 0 && bytesOfThisOne < MAX_VARINT_BYTES);
    }
    return p;
  }
}
