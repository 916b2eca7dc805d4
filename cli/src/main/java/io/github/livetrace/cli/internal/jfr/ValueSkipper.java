package io.github.livetrace.cli.internal.jfr;

import java.util.List;

/**
 * Steps over values of any type the metadata declares, without building them: constant pools
 * hold many types this decoder does not need (stack traces, frames, methods, classes, symbols,
 * packages, modules, thread groups...), and their entries must be passed to reach the next.
 *
 * <p>Each type's fields become a program of steps once ({@link #program}), which one small
 * method runs: a method per kind of field, calling one another for nested types, would be
 * compiled into a tangle many times its size.
 */
final class ValueSkipper {
  /** Deeper nesting of inline (not pooled) values means a type that contains itself. */
  static final int MAX_DEPTH = 32;

  private static final byte VARINT = 0;
  private static final byte ONE_BYTE = 1;
  private static final byte FOUR_BYTES = 2;
  private static final byte EIGHT_BYTES = 3;
  private static final byte STRING = 4;
  private static final byte NESTED = 5; // an inline value of a composite type
  private static final byte UNREADABLE = 6;
  private static final byte ARRAY = 0x10; // added to the step of the elements

  /** How to step over a value of one type. */
  static final class Program {
    final String typeName;
    final byte[] steps;
    final JfrType[] nested; // per step: the type of a NESTED value
    final String[] names; // per step: the field, for messages

    Program(String typeName, byte[] steps, JfrType[] nested, String[] names) {
      this.typeName = typeName;
      this.steps = steps;
      this.nested = nested;
      this.names = names;
    }
  }

  private ValueSkipper() {}

  /** The program of {@code type}: a step per field, or a single step for a primitive. */
  static Program program(JfrType type) {
    List<JfrField> fields = type.fields();
    if (type.kind() != JfrType.Kind.COMPOSITE) {
      return new Program(type.name(), new byte[] {step(type)}, new JfrType[1], new String[] {type.name()});
    }
    byte[] steps = new byte[fields.size()];
    JfrType[] nested = new JfrType[fields.size()];
    String[] names = new String[fields.size()];
    for (int i = 0; i < steps.length; i++) {
      JfrField field = fields.get(i);
      byte step = field.constantPool() ? VARINT : step(field.type());
      if (step == NESTED) {
        nested[i] = field.type();
      }
      steps[i] = (byte) (field.array() ? step | ARRAY : step);
      names[i] = field.name();
    }
    return new Program(type.name(), steps, nested, names);
  }

  private static byte step(JfrType type) {
    switch (type.kind()) {
      case LONG:
      case INT:
      case SHORT:
      case CHAR:
        return VARINT;
      case BYTE:
      case BOOLEAN:
        return ONE_BYTE;
      case FLOAT:
        return FOUR_BYTES;
      case DOUBLE:
        return EIGHT_BYTES;
      case STRING:
        return STRING;
      case COMPOSITE:
        return NESTED;
      default:
        return UNREADABLE;
    }
  }

  /** Skips the value of {@code field}: inline, a pool key, or an array of either. */
  static void skipField(RecordCursor in, JfrField field) throws JfrFormatException {
    byte step = field.constantPool() ? VARINT : step(field.type());
    if (field.array()) {
      int count = in.readCount("array ", field.name());
      for (int i = 0; i < count; i++) {
        skipStep(in, step, field.type(), field.name(), 0);
      }
    } else {
      skipStep(in, step, field.type(), field.name(), 0);
    }
  }

  /** Skips an inline value of {@code type}. */
  static void skipValue(RecordCursor in, JfrType type) throws JfrFormatException {
    run(in, type.skipProgram(), 0);
  }

  private static void run(RecordCursor in, Program program, int depth) throws JfrFormatException {
    if (depth >= MAX_DEPTH) {
      throw new JfrFormatException("values of " + program.typeName + " nest deeper than " + MAX_DEPTH);
    }
    byte[] steps = program.steps;
    for (int i = 0; i < steps.length; i++) {
      byte step = steps[i];
      if ((step & ARRAY) == 0) {
        skipStep(in, step, program.nested[i], program.names[i], depth);
      } else {
        int count = in.readCount("array ", program.names[i]);
        for (int k = 0; k < count; k++) {
          skipStep(in, (byte) (step & ~ARRAY), program.nested[i], program.names[i], depth);
        }
      }
    }
  }

  private static void skipStep(RecordCursor in, byte step, JfrType type, String name, int depth)
      throws JfrFormatException {
    switch (step) {
      case VARINT:
        in.readLong();
        return;
      case ONE_BYTE:
        in.skip(1);
        return;
      case FOUR_BYTES:
        in.skip(4);
        return;
      case EIGHT_BYTES:
        in.skip(8);
        return;
      case STRING:
        in.skipString();
        return;
      case NESTED:
        run(in, type.skipProgram(), depth + 1);
        return;
      default:
        throw new JfrFormatException("a value of " + name + ", whose type is neither a primitive nor has fields");
    }
  }
}
