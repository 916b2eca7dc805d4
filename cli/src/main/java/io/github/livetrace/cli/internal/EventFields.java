package io.github.livetrace.cli.internal;

import java.util.IdentityHashMap;
import java.util.Map;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;

/**
 * Fast reads of the fields the CLI needs, and how it identifies and names threads.
 *
 * <p>JFR's typed getters ({@code getString}, {@code getThread}) look a field up by name twice,
 * and lookups by name are most of the cost of analysing an event. {@link
 * RecordedEvent#getValue} looks up once; these helpers use it, and know which event types have a
 * thread at all, so that a missing field is never an exception on the hot path.
 */
public final class EventFields {
  private static final int MAX_CACHED_TYPES = 4096;

  /** Per event type object (JFR makes new ones per chunk): whether it has {@code eventThread}. */
  private final Map<EventType, Boolean> hasThread = new IdentityHashMap<>();

  /** The thread that wrote the event; null for events of the JVM that have none. */
  public RecordedThread thread(RecordedEvent event) {
    EventType type = event.getEventType();
    Boolean has = hasThread.get(type);
    if (has == null) {
      if (hasThread.size() >= MAX_CACHED_TYPES) {
        hasThread.clear(); // types of chunks already read
      }
      has = type.getField("eventThread") != null;
      hasThread.put(type, has);
    }
    return has ? (RecordedThread) event.getValue("eventThread") : null;
  }

  /** A string field of a livetrace event; null when the event lacks it (another version). */
  public static String string(RecordedEvent event, String field) {
    try {
      Object value = event.getValue(field);
      return value instanceof String ? (String) value : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The thread's Java id; for a thread of the JVM itself, which has none, its OS id negated, so
   * that the two kinds never collide.
   */
  public static long threadId(RecordedThread thread) {
    return threadId(thread.getJavaThreadId(), thread.getOSThreadId());
  }

  /** {@link #threadId(RecordedThread)} from the two ids. */
  public static long threadId(long javaThreadId, long osThreadId) {
    return javaThreadId > 0 ? javaThreadId : -osThreadId;
  }

  /** The thread's Java name, or its OS name for a thread of the JVM. */
  public static String threadName(RecordedThread thread) {
    return threadName(thread.getJavaName(), thread.getOSName(), threadId(thread));
  }

  /** {@link #threadName(RecordedThread)} from the two names and the thread's id. */
  public static String threadName(String javaName, String osName, long threadId) {
    String name = javaName;
    if (name == null || name.isEmpty()) {
      name = osName;
    }
    return name == null || name.isEmpty() ? "thread " + threadId : name;
  }
}
