package io.github.livetrace.cli.internal;

/**
 * Task ids are per JVM (each counts from 1), so the CLI keys them by JVM: the id in the high bits,
 * the JVM's {@linkplain Fleet.Jvm#index() index} in the low {@value #JVM_BITS}. The background task,
 * 0, stays 0. Thread ids are keyed the same way. With one JVM every key is its id shifted.
 */
public final class TaskKeys {
  static final int JVM_BITS = 12;

  /** The most JVMs read together. */
  public static final int MAX_JVMS = 1 << JVM_BITS;

  private TaskKeys() {}

  public static long key(long id, int jvm) {
    return id == 0 ? 0 : id << JVM_BITS | jvm;
  }

  /** The id the JVM gave. */
  public static long id(long key) {
    return key >>> JVM_BITS;
  }

  /** The JVM's index. */
  public static int jvm(long key) {
    return (int) (key & (MAX_JVMS - 1));
  }
}
