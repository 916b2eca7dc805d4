package io.github.livetrace.cli.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;

/**
 * A small streaming JSON writer: the CLI's output is written as it is produced, never held as a
 * tree, and needs no JSON library.
 *
 * <p>Containers nested less than {@code lineDepth} deep put each member on its own indented
 * line; deeper ones are written on one line. {@code Integer.MAX_VALUE} pretty-prints everything;
 * 2 writes a top-level object whose arrays hold one compact element per line, the shape of a
 * Trace Event Format file.
 */
public final class JsonWriter implements Closeable {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final Writer out;
  private final int lineDepth;
  private boolean[] hasMembers = new boolean[16];
  private int depth;
  private boolean afterName;

  public JsonWriter(Writer out, int lineDepth) {
    this.out = out;
    this.lineDepth = lineDepth;
  }

  public JsonWriter beginObject() throws IOException {
    return open('{');
  }

  public JsonWriter endObject() throws IOException {
    return close('}');
  }

  public JsonWriter beginArray() throws IOException {
    return open('[');
  }

  public JsonWriter endArray() throws IOException {
    return close(']');
  }

  /** The name of the next member of the current object. */
  public JsonWriter name(String name) throws IOException {
    separate();
    string(name);
    out.write(':');
    if (depth <= lineDepth) {
      out.write(' ');
    }
    afterName = true;
    return this;
  }

  public JsonWriter value(String value) throws IOException {
    separate();
    if (value == null) {
      out.write("null");
    } else {
      string(value);
    }
    return this;
  }

  public JsonWriter value(long value) throws IOException {
    separate();
    out.write(Long.toString(value));
    return this;
  }

  /** A finite number; JSON has no NaN or infinity. */
  public JsonWriter value(double value) throws IOException {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("JSON numbers are finite, not " + value);
    }
    separate();
    out.write(Double.toString(value));
    return this;
  }

  public JsonWriter value(boolean value) throws IOException {
    separate();
    out.write(value ? "true" : "false");
    return this;
  }

  /**
   * Nanoseconds written as microseconds with three decimals ({@code 1234567} as {@code
   * 1234.567}), exactly, without going through a double: the unit of the Trace Event Format.
   */
  public JsonWriter micros(long nanos) throws IOException {
    separate();
    if (nanos < 0) {
      out.write('-');
      nanos = -nanos;
    }
    long fraction = nanos % 1000;
    out.write(Long.toString(nanos / 1000));
    out.write('.');
    out.write((char) ('0' + fraction / 100));
    out.write((char) ('0' + fraction / 10 % 10));
    out.write((char) ('0' + fraction % 10));
    return this;
  }

  /** Shorthand for a name and a string value. */
  public JsonWriter field(String name, String value) throws IOException {
    return name(name).value(value);
  }

  /** Shorthand for a name and a number. */
  public JsonWriter field(String name, long value) throws IOException {
    return name(name).value(value);
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private JsonWriter open(char bracket) throws IOException {
    separate();
    out.write(bracket);
    depth++;
    if (depth == hasMembers.length) {
      hasMembers = java.util.Arrays.copyOf(hasMembers, depth * 2);
    }
    hasMembers[depth] = false;
    return this;
  }

  private JsonWriter close(char bracket) throws IOException {
    boolean any = hasMembers[depth];
    depth--;
    if (any && depth < lineDepth) {
      newline();
    }
    out.write(bracket);
    if (depth == 0) {
      out.write('\n');
    }
    return this;
  }

  /** Writes what goes before a value or a name: a comma and a line break, as needed. */
  private void separate() throws IOException {
    if (afterName) {
      afterName = false;
      return;
    }
    if (depth == 0) {
      return;
    }
    if (hasMembers[depth]) {
      out.write(',');
    }
    hasMembers[depth] = true;
    if (depth <= lineDepth) {
      newline();
    }
  }

  private void newline() throws IOException {
    out.write('\n');
    for (int i = 0; i < depth; i++) {
      out.write("  ");
    }
  }

  private void string(String s) throws IOException {
    out.write('"');
    int runStart = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String escape = null;
      if (c == '"') {
        escape = "\\\"";
      } else if (c == '\\') {
        escape = "\\\\";
      } else if (c == '\n') {
        escape = "\\n";
      } else if (c == '\r') {
        escape = "\\r";
      } else if (c == '\t') {
        escape = "\\t";
      } else if (c < 0x20 || c == 0x2028 || c == 0x2029 || isLoneSurrogate(s, i)) {
        escape = "\\u" + HEX[c >> 12] + HEX[(c >> 8) & 0xF] + HEX[(c >> 4) & 0xF] + HEX[c & 0xF];
      }
      if (escape != null) {
        out.write(s, runStart, i - runStart);
        out.write(escape);
        runStart = i + 1;
      }
    }
    out.write(s, runStart, s.length() - runStart);
    out.write('"');
  }

  /** A surrogate without its partner cannot be encoded as UTF-8; it is written escaped. */
  private static boolean isLoneSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }
}
