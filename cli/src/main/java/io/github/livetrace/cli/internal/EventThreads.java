package io.github.livetrace.cli.internal;

import jdk.jfr.consumer.RecordedThread;

/** How the CLI identifies and names the threads of a trace. */
public final class EventThreads {
  private EventThreads() {}

  /**
   * The thread's Java id; for a thread of the JVM itself, which has none, its OS id negated, so
   * that the two kinds never collide.
   */
  public static long id(RecordedThread thread) {
    long javaId = thread.getJavaThreadId();
    return javaId > 0 ? javaId : -thread.getOSThreadId();
  }

  /** The thread's Java name, or its OS name for a thread of the JVM. */
  public static String name(RecordedThread thread) {
    String name = thread.getJavaName();
    if (name == null || name.isEmpty()) {
      name = thread.getOSName();
    }
    return name == null || name.isEmpty() ? "thread " + id(thread) : name;
  }
}
