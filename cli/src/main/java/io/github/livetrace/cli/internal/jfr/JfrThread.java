package io.github.livetrace.cli.internal.jfr;

/**
 * A thread of the chunk's {@code java.lang.Thread} constant pool, with what
 * {@code jdk.jfr.consumer.RecordedThread} reports: -1 for an id the pool entry lacks, null for a
 * name it lacks. A thread of the JVM itself (GC, compiler) has no Java id or name.
 */
public final class JfrThread {
  private final long javaThreadId;
  private final long osThreadId;
  private final String javaName;
  private final String osName;
  private final boolean virtual;
  private final int index;

  JfrThread(long javaThreadId, long osThreadId, String javaName, String osName, boolean virtual, int index) {
    this.javaThreadId = javaThreadId;
    this.osThreadId = osThreadId;
    this.javaName = javaName;
    this.osName = osName;
    this.virtual = virtual;
    this.index = index;
  }

  /**
   * The thread's number in its chunk: 1 for the first thread of the chunk's pool, 2 for the
   * second... ({@link JfrEvent#threadIndex()} is 0 for no thread). Handlers count per thread in
   * an array by this number, without looking the thread up.
   */
  public int index() {
    return index;
  }

  /** {@code Thread.threadId()}; 0 or -1 for a thread of the JVM. */
  public long javaThreadId() {
    return javaThreadId;
  }

  /** The operating system's id of the thread, or of the carrier thread of a virtual thread. */
  public long osThreadId() {
    return osThreadId;
  }

  public String javaName() {
    return javaName;
  }

  public String osName() {
    return osName;
  }

  /**
   * The id livetrace identifies the thread by: its Java id; for a thread of the JVM itself, which
   * has none, its OS id negated, so that the two kinds never collide.
   */
  public long id() {
    return javaThreadId > 0 ? javaThreadId : -osThreadId;
  }

  /**
   * Its name in the chunk the event is from: the Java name, or the OS name for a thread of the
   * JVM. A thread renamed during the trace has its new name in the chunks written after.
   */
  public String name() {
    String name = javaName;
    if (name == null || name.isEmpty()) {
      name = osName;
    }
    return name == null || name.isEmpty() ? "thread " + id() : name;
  }

  /** Whether it is a virtual thread (JDK 19 and later say so). */
  public boolean isVirtual() {
    return virtual;
  }

  @Override
  public String toString() {
    return "thread " + javaThreadId + " '" + javaName + "' (OS " + osThreadId + " '" + osName + "')";
  }
}
