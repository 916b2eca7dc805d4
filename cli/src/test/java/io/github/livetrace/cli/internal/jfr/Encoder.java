package io.github.livetrace.cli.internal.jfr;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes JFR values the way the JVM does, for tests of the reading side. */
final class Encoder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An unsigned LEB128 varint: seven bits a byte, the ninth byte with all eight. */
  Encoder varint(long value) {
    long v = value;
    for (int i = 0; i < 8; i++) {
      if ((v & ~0x7FL) == 0) {
        out.write((int) v);
        return this;
      }
      out.write((int) (v & 0x7F | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  Encoder raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  Encoder nullString() {
    return raw(RecordCursor.NULL);
  }

  Encoder emptyString() {
    return raw(RecordCursor.EMPTY);
  }

  Encoder poolString(long key) {
    return raw(RecordCursor.CONSTANT_POOL).varint(key);
  }

  Encoder utf8(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    raw(RecordCursor.UTF8).varint(bytes.length);
    out.write(bytes, 0, bytes.length);
    return this;
  }

  Encoder latin1(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    raw(RecordCursor.LATIN1).varint(bytes.length);
    out.write(bytes, 0, bytes.length);
    return this;
  }

  Encoder chars(String s) {
    raw(RecordCursor.CHAR_ARRAY).varint(s.length());
    for (int i = 0; i < s.length(); i++) {
      varint(s.charAt(i));
    }
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The bytes, followed by {@code padding} zeros, as a window holds more than one record. */
  byte[] bytes(int padding) {
    byte[] bytes = out.toByteArray();
    return Arrays.copyOf(bytes, bytes.length + padding);
  }
}
