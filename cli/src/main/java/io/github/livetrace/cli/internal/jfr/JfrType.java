package io.github.livetrace.cli.internal.jfr;

import java.util.List;

/**
 * A class of the chunk's metadata: an event type (its super type is {@code jdk.jfr.Event}), a
 * type of constant-pool values (threads, stack traces, frames, methods, classes...), or a
 * primitive ({@code long}, {@code java.lang.String}...). Type ids are the chunk's own: the same
 * type may have another id, and other fields, in another chunk or on another JDK.
 */
public final class JfrType {
  /** How a value of the type is encoded. */
  enum Kind {
    LONG,
    INT,
    SHORT,
    CHAR,
    BYTE,
    BOOLEAN,
    FLOAT,
    DOUBLE,
    STRING,
    /** Its fields, one after the other. */
    COMPOSITE,
    /** Neither a primitive nor a class with fields: no value of it can be read. */
    UNREADABLE
  }

  static final String EVENT_SUPER_TYPE = "jdk.jfr.Event";

  private final long id;
  private final String name;
  private final String superType;
  private final List<JfrField> fields;
  private final Kind kind;
  private ValueSkipper.Program skipProgram; // once the fields' types are known

  JfrType(long id, String name, String superType, List<JfrField> fields) {
    this.id = id;
    this.name = name;
    this.superType = superType;
    this.fields = List.copyOf(fields);
    this.kind = kindOf(name, this.fields);
  }

  private static Kind kindOf(String name, List<JfrField> fields) {
    if (!fields.isEmpty()) {
      return Kind.COMPOSITE;
    }
    switch (name) {
      case "long":
        return Kind.LONG;
      case "int":
        return Kind.INT;
      case "short":
        return Kind.SHORT;
      case "char":
        return Kind.CHAR;
      case "byte":
        return Kind.BYTE;
      case "boolean":
        return Kind.BOOLEAN;
      case "float":
        return Kind.FLOAT;
      case "double":
        return Kind.DOUBLE;
      case "java.lang.String":
        return Kind.STRING;
      default:
        return Kind.UNREADABLE;
    }
  }

  public long id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** Whether this is an event type: a record of the chunk can be an event of it. */
  public boolean isEvent() {
    return EVENT_SUPER_TYPE.equals(superType);
  }

  /** The fields in the order their values are written. */
  public List<JfrField> fields() {
    return fields;
  }

  /** The field of that name; null when the type has none. */
  public JfrField field(String fieldName) {
    for (JfrField field : fields) {
      if (field.name().equals(fieldName)) {
        return field;
      }
    }
    return null;
  }

  Kind kind() {
    return kind;
  }

  /** How to step over a value of this type; made after the metadata resolved the field types. */
  ValueSkipper.Program skipProgram() {
    return skipProgram;
  }

  void prepareSkipping() {
    skipProgram = ValueSkipper.program(this);
  }

  @Override
  public String toString() {
    return name + " #" + id;
  }
}
