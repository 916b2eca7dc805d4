package io.github.livetrace.cli.internal.jfr;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A value of a composite type from a chunk's constant pools: a stack trace, a frame, a method, a
 * class, a GC name... Its fields are decoded when the value is first asked for, and values it
 * refers to in the pools when they are asked for: stack traces refer to methods, which refer to
 * classes, which refer to class loaders, and an export needs a few names out of all that.
 *
 * <p>Valid while the handler is given the events of the chunk it comes from.
 */
public final class JfrObject {
  /** A key into the pool of a type, resolved on {@link #get}. */
  record PoolReference(JfrType type, long key) {}

  private final JfrType type;
  private final Object[] values; // by field index: Long, Double, Boolean, String, JfrThread, JfrObject,
                                 // PoolReference, or Object[] for arrays
  private final ConstantPools pools;

  JfrObject(JfrType type, Object[] values, ConstantPools pools) {
    this.type = type;
    this.values = values;
    this.pools = pools;
  }

  public JfrType type() {
    return type;
  }

  /**
   * The value of a field: a {@code Long} for integers, {@code Double}, {@code Boolean}, {@code
   * String}, {@link JfrThread}, {@code JfrObject}, or a {@code List} of those for an array; null
   * when the type has no such field, or the value is null or missing from the pools.
   */
  public Object get(String field) {
    List<JfrField> fields = type.fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(field)) {
        return resolve(values[i]);
      }
    }
    return null;
  }

  private Object resolve(Object value) {
    if (value instanceof PoolReference) {
      PoolReference reference = (PoolReference) value;
      return pools.value(reference.type(), reference.key());
    }
    if (value instanceof Object[]) {
      Object[] resolved = ((Object[]) value).clone();
      for (int i = 0; i < resolved.length; i++) {
        resolved[i] = resolve(resolved[i]);
      }
      return Collections.unmodifiableList(Arrays.asList(resolved));
    }
    return value;
  }

  /** The name of a {@code java.lang.Class} constant, with dots; empty for none. */
  public static String className(JfrObject type) {
    if (type == null) {
      return "";
    }
    JfrObject name = type.object("name");
    String text = name == null ? type.string("name") : name.string("string");
    return text == null ? "" : text.replace('/', '.');
  }

  /** A string field; null when absent or of another kind. */
  public String string(String field) {
    Object value = get(field);
    return value instanceof String ? (String) value : null;
  }

  /** An integer field; {@code absent} when there is none. */
  public long longValue(String field, long absent) {
    Object value = get(field);
    return value instanceof Long ? (Long) value : absent;
  }

  /** A boolean field; false when absent. */
  public boolean booleanValue(String field) {
    return Boolean.TRUE.equals(get(field));
  }

  /** A composite field, pooled or inline; null when absent. */
  public JfrObject object(String field) {
    Object value = get(field);
    return value instanceof JfrObject ? (JfrObject) value : null;
  }

  /** An array field; empty when absent. */
  public List<Object> array(String field) {
    Object value = get(field);
    if (value instanceof List) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) value;
      return list;
    }
    return List.of();
  }

  @Override
  public String toString() {
    return type.name() + Arrays.toString(values);
  }
}
