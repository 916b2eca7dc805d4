package io.github.livetrace.cli.internal.jfr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns encoded inline strings into {@code String}s, remembering recent short ones by their
 * encoded bytes. Task, region and log types repeat millions of times in a trace and are written
 * inline by each event; with the cache, each costs a hash of a few bytes instead of a new
 * {@code String}, and equal types are the same instance, which makes map lookups cheap.
 *
 * <p>The encoded bytes identify a string: the same text in the same encoding is always encoded
 * the same way. The cache is a fixed table where a newer string replaces an older one in the same
 * slot, so its memory is bounded whatever the trace holds.
 *
 * <p>Strings of up to {@value #WORD_BYTES} encoded bytes, most types, have a table of their own
 * keyed by those bytes read as two little-endian words, which makes the hash and the comparison
 * a few instructions instead of a loop.
 */
final class StringCache {
  /** The longest string the word table holds, in encoded bytes. */
  static final int WORD_BYTES = 16;

  private static final int SLOTS = 4096; // a power of two
  private static final int MAX_CACHED_BYTES = 64;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final byte[][] keys = new byte[SLOTS][];
  private final byte[] encodings = new byte[SLOTS];
  private final String[] values = new String[SLOTS];

  private final long[] lowWords = new long[SLOTS];
  private final long[] highWords = new long[SLOTS];
  private final int[] shortKinds = new int[SLOTS]; // encoding << 8 | length; 0 for a free slot
  private final String[] shortValues = new String[SLOTS];

  /**
   * The string of {@code length} bytes (UTF-8, Latin-1) or ASCII chars (char array) at {@code
   * from}, when it is at most {@value #WORD_BYTES} bytes; null when a char array turns out not to
   * be ASCII, whose chars then take more bytes than their count. {@code bytes} must have {@value
   * #WORD_BYTES} bytes from {@code from} on, whatever the string's length: the bytes beyond it are
   * masked off.
   */
  String shortString(byte encoding, byte[] bytes, int from, int length) {
    // Masks that keep the string's bytes of each word: all, some or none, without a test.
    long low = word(bytes, from) & mask(length);
    long high = word(bytes, from + 8) & mask(length - 8);
    if (encoding == RecordCursor.CHAR_ARRAY && ((low | high) & HIGH_BITS) != 0) {
      return null;
    }
    int kind = encoding << 8 | length;
    long mixed = (low * 0x9E3779B97F4A7C15L) ^ (high * 0xC2B2AE3D27D4EB4FL) ^ kind;
    int slot = (int) (mixed ^ (mixed >>> 29) ^ (mixed >>> 47)) & (SLOTS - 1);
    if (lowWords[slot] == low && highWords[slot] == high && shortKinds[slot] == kind) {
      return shortValues[slot];
    }
    String value = decodeUncached(encoding, bytes, from, from + length, length);
    lowWords[slot] = low;
    highWords[slot] = high;
    shortKinds[slot] = kind;
    shortValues[slot] = value;
    return value;
  }

  /**
   * The string encoded in {@code bytes[from, to)}.
   *
   * @param encoding {@link RecordCursor#UTF8}, {@link RecordCursor#LATIN1} or {@link
   *     RecordCursor#CHAR_ARRAY}
   * @param count bytes (UTF-8, Latin-1) or chars (char array) in the string
   */
  String decode(byte encoding, byte[] bytes, int from, int to, int count) {
    if (to - from > MAX_CACHED_BYTES) {
      return decodeUncached(encoding, bytes, from, to, count);
    }
    int hash = encoding;
    for (int i = from; i < to; i++) {
      hash = 31 * hash + bytes[i];
    }
    return lookup(encoding, bytes, from, to, count, hash);
  }

  /**
   * {@link #decode}, with the hash already computed: {@code encoding}, then {@code 31 * h + b}
   * for each byte.
   */
  String lookup(byte encoding, byte[] bytes, int from, int to, int count, int hash) {
    int length = to - from;
    if (length > MAX_CACHED_BYTES) {
      return decodeUncached(encoding, bytes, from, to, count);
    }
    int slot = (hash ^ (hash >>> 13)) & (SLOTS - 1);
    byte[] key = keys[slot];
    if (key != null && key.length == length && encodings[slot] == encoding && sameBytes(key, bytes, from)) {
      return values[slot];
    }
    String value = decodeUncached(encoding, bytes, from, to, count);
    keys[slot] = Arrays.copyOfRange(bytes, from, to);
    encodings[slot] = encoding;
    values[slot] = value;
    return value;
  }

  /**
   * Eight bytes as a little-endian word. Plain loads and shifts: a {@code ByteBuffer} or {@code
   * VarHandle} read is one instruction once compiled, but dozens of calls before, and costs JDK
   * 17 about 10 ms to set up.
   */
  private static long word(byte[] b, int at) {
    return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24
        | (b[at + 4] & 0xFFL) << 32 | (b[at + 5] & 0xFFL) << 40 | (b[at + 6] & 0xFFL) << 48
        | (b[at + 7] & 0xFFL) << 56;
  }

  /** A mask of the low {@code bytes} bytes of a word: none below 1, all from 8. */
  private static long mask(int bytes) {
    int bits = 8 * Math.max(0, Math.min(8, bytes));
    return ~(-1L << bits) | -(long) (bits >>> 6); // Java shifts by bits % 64: 64 needs the second term
  }

  /** A plain loop: for keys this short, it beats the vectorized {@code Arrays.equals}. */
  private static boolean sameBytes(byte[] key, byte[] bytes, int from) {
    for (int i = 0; i < key.length; i++) {
      if (key[i] != bytes[from + i]) {
        return false;
      }
    }
    return true;
  }

  private static String decodeUncached(byte encoding, byte[] bytes, int from, int to, int count) {
    switch (encoding) {
      case RecordCursor.UTF8:
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
      case RecordCursor.LATIN1:
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
      default:
        return charArray(bytes, from, count);
    }
  }

  /** {@code count} chars, each a varint cut to 16 bits; the caller has checked the bounds. */
  private static String charArray(byte[] bytes, int from, int count) {
    char[] chars = new char[count];
    int p = from;
    for (int i = 0; i < count; i++) {
      long value = 0;
      int shift = 0;
      byte next;
      do {
        next = bytes[p++];
        value |= shift == 56 ? (next & 0xFFL) << 56 : (next & 0x7FL) << shift;
        shift += 7;
      } while (next < 0 && shift <= 56);
      chars[i] = (char) value;
    }
    return new String(chars);
  }
}
