package io.github.livetrace.cli.internal;

import java.io.OutputStream;
import java.io.Writer;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;

/**
 * The CLI's JSON, written as it is produced with jackson-core's streaming {@link JsonGenerator}:
 * nothing is held as a tree. Text outside ASCII is escaped, so that any string, even one with a
 * lone surrogate (which UTF-8 cannot encode), makes valid JSON.
 */
public final class JsonOutput {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private JsonOutput() {}

  /** Every member and element on its own indented line: {@code summary --format json}. */
  public static JsonGenerator pretty(Writer out) {
    return FACTORY.createGenerator(context(Integer.MAX_VALUE), out);
  }

  /**
   * A top-level object whose members, and the elements of its arrays, are on lines of their own,
   * each element on one line: the layout of a Trace Event Format file, one event per line.
   */
  public static JsonGenerator eventPerLine(OutputStream out) {
    return FACTORY.createGenerator(context(2), out);
  }

  /**
   * Nanoseconds as microseconds with three decimals ({@code 1234567} as {@code 1234.567}),
   * exactly, without going through a double: the time unit of the Trace Event Format.
   */
  public static void micros(JsonGenerator json, long nanos) {
    long magnitude = Math.abs(nanos);
    long fraction = magnitude % 1000;
    String digits = Long.toString(1000 + fraction).substring(1);
    json.writeNumber((nanos < 0 ? "-" : "") + magnitude / 1000 + "." + digits);
  }

  private static ObjectWriteContext context(int lineDepth) {
    return new ObjectWriteContext.Base() {
      @Override
      public PrettyPrinter getPrettyPrinter() {
        return new LinePrinter(lineDepth);
      }

      @Override
      public boolean hasPrettyPrinter() {
        return true;
      }
    };
  }

  /**
   * Containers nested up to {@code lineDepth} deep put each member on its own indented line;
   * deeper ones are written on one line, without spaces.
   */
  private static final class LinePrinter implements PrettyPrinter {
    private final int lineDepth;

    LinePrinter(int lineDepth) {
      this.lineDepth = lineDepth;
    }

    private boolean lines(JsonGenerator g) {
      return g.streamWriteContext().getNestingDepth() <= lineDepth;
    }

    private static void newline(JsonGenerator g, int depth) {
      g.writeRaw('\n');
      for (int i = 0; i < depth; i++) {
        g.writeRaw("  ");
      }
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) {
      g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) {
      g.writeRaw('{');
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) {
      if (lines(g)) {
        newline(g, g.streamWriteContext().getNestingDepth());
      }
    }

    @Override
    public void writeObjectNameValueSeparator(JsonGenerator g) {
      g.writeRaw(lines(g) ? ": " : ":");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) {
      g.writeRaw(',');
      beforeObjectEntries(g);
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) {
      beforeClosing(g, entries);
      g.writeRaw('}');
    }

    private void beforeClosing(JsonGenerator g, int members) {
      if (members > 0 && lines(g)) {
        newline(g, g.streamWriteContext().getNestingDepth() - 1);
      }
    }

    @Override
    public void writeStartArray(JsonGenerator g) {
      g.writeRaw('[');
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) {
      beforeObjectEntries(g);
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) {
      writeObjectEntrySeparator(g);
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) {
      beforeClosing(g, values);
      g.writeRaw(']');
    }
  }
}
