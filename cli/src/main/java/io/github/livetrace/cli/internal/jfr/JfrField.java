package io.github.livetrace.cli.internal.jfr;

/**
 * A field of a {@link JfrType}, as the chunk's metadata declares it.
 *
 * <p>A field holds a value of its type inline, or, when {@link #constantPool()}, a varint key into
 * the chunk's pool of that type; an {@link #array()} field holds a varint count and that many such
 * values.
 */
public final class JfrField {
  private final String name;
  private final long typeId;
  private final boolean constantPool;
  private final boolean array;
  private JfrType type;

  JfrField(String name, long typeId, boolean constantPool, boolean array) {
    this.name = name;
    this.typeId = typeId;
    this.constantPool = constantPool;
    this.array = array;
  }

  public String name() {
    return name;
  }

  /** The field's type; set once all types of the metadata are known. */
  public JfrType type() {
    return type;
  }

  long typeId() {
    return typeId;
  }

  void resolve(JfrType type) {
    this.type = type;
  }

  public boolean constantPool() {
    return constantPool;
  }

  public boolean array() {
    return array;
  }

  @Override
  public String toString() {
    return name + ": " + (type == null ? "#" + typeId : type.name()) + (array ? "[]" : "")
        + (constantPool ? " (constant pool)" : "");
  }
}
