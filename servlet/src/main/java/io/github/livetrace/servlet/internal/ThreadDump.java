package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Every thread's stack, from the JDK's thread dump APIs. On JDK 21+ {@code
 * com.sun.management.HotSpotDiagnosticMXBean#dumpThreads} (the API behind {@code jcmd
 * Thread.dump_to_file}), whose JSON holds virtual threads too; it is called by reflection, since
 * livetrace is Java 17 bytecode. Before, or where it fails, {@code ThreadMXBean.dumpAllThreads}:
 * platform threads. Either way the threads are those Java's APIs show: not the JVM's own (GC,
 * compiler threads, which {@code jcmd Thread.print} lists too).
 */
final class ThreadDump {
  /**
   * One thread.
   *
   * @param id the thread id ({@code Thread.threadId()})
   * @param state the {@code Thread.State} name; empty when the dump does not say (JDK 21-24's JSON
   *     for virtual threads)
   * @param stack its frames, innermost first
   */
  record DumpedThread(String name, long id, boolean virtual, String state, List<Frame> stack) {}

  private static final JsonFactory JSON = new JsonFactory();
  private static final Method DUMP_THREADS;
  private static final Object JSON_FORMAT;

  static {
    Method method = null;
    Object json = null;
    try {
      Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
      for (Object constant : format.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals("JSON")) {
          json = constant;
        }
      }
      method = com.sun.management.HotSpotDiagnosticMXBean.class.getMethod("dumpThreads", String.class, format);
    } catch (ReflectiveOperationException | LinkageError e) {
      method = null; // JDK 17 to 20: platform threads from ThreadMXBean
    }
    DUMP_THREADS = json == null ? null : method;
    JSON_FORMAT = json;
  }

  private ThreadDump() {}

  /** Whether dumps include virtual threads (JDK 21+). */
  static boolean includesVirtualThreads() {
    return DUMP_THREADS != null;
  }

  /** The threads of this JVM now. */
  static List<DumpedThread> take() throws IOException {
    if (DUMP_THREADS != null) {
      return fromJson(dumpJson());
    }
    List<DumpedThread> threads = new ArrayList<>();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      threads.add(fromThreadInfo(info));
    }
    return threads;
  }

  private static String dumpJson() throws IOException {
    Path dir = Files.createTempDirectory("livetrace-threads-");
    Path file = dir.resolve("threads.json"); // must not exist: dumpThreads refuses to overwrite
    try {
      DUMP_THREADS.invoke(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class), file.toString(), JSON_FORMAT);
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (InvocationTargetException e) {
      throw new IOException("the JVM's thread dump failed: " + e.getCause(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IOException("the JVM's thread dump is not accessible: " + e, e);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * Reads the JSON of {@code dumpThreads}: every container's threads.
   *
   * @throws IllegalArgumentException when {@code json} is not such a dump, naming where
   */
  static List<DumpedThread> fromJson(String json) {
    List<DumpedThread> threads = new ArrayList<>();
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      p.nextToken();
      properties(p, Map.of(
          "threadDump", dump -> properties(dump, Map.of(
              "threadContainers", containers -> elements(containers, container -> properties(container, Map.of(
                  "threads", list -> elements(list, thread -> threads.add(thread(thread))))))))));
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("text after the thread dump at offset " + p.currentLocation().getCharOffset());
      }
    } catch (JacksonException e) {
      String where = e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset();
      throw new IllegalArgumentException("the JVM's thread dump is not the JSON expected: " + e.getOriginalMessage() + where, e);
    }
    // JDK 21-24 write no state; ThreadMXBean knows it for platform threads.
    long[] unknownState = threads.stream().filter(t -> t.state().isEmpty() && !t.virtual()).mapToLong(DumpedThread::id).toArray();
    if (unknownState.length > 0) {
      Map<Long, String> states = new HashMap<>();
      for (ThreadInfo info : ManagementFactory.getThreadMXBean().getThreadInfo(unknownState)) {
        if (info != null) { // ended since the dump
          states.put(info.getThreadId(), info.getThreadState().name());
        }
      }
      threads.replaceAll(d -> d.virtual() || !states.containsKey(d.id()) ? d : new DumpedThread(d.name(), d.id(), false, states.get(d.id()), d.stack()));
    }
    return threads;
  }

  /** Reads one thread's object of the dump. */
  private static DumpedThread thread(JsonParser p) {
    var t = new Object() {
      long id = -1;
      String name = "";
      String state = "";
      boolean virtual;
      final List<Frame> stack = new ArrayList<>();
    };
    properties(p, Map.of(
        "tid", v -> t.id = Long.parseLong(v.getValueAsString()), // a string in the JDK's dump
        "name", v -> t.name = v.getString(),
        "state", v -> t.state = v.getString(),
        "virtual", v -> t.virtual = v.getBooleanValue(),
        "stack", v -> elements(v, frame -> t.stack.add(parseFrame(frame.getString())))));
    return new DumpedThread(t.name, t.id, t.virtual, t.state, t.stack);
  }

  /** Reads the value the parser is at. */
  private interface Value {
    void read(JsonParser p);
  }

  /** Reads the object the parser is at: each property named in {@code wanted} with its reader, skipping the others. */
  private static void properties(JsonParser p, Map<String, Value> wanted) {
    expect(p, JsonToken.START_OBJECT);
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      Value value = wanted.get(p.currentName());
      p.nextToken();
      if (value == null) {
        p.skipChildren();
      } else {
        value.read(p);
      }
    }
  }

  /** Reads each element of the array the parser is at. */
  private static void elements(JsonParser p, Value each) {
    expect(p, JsonToken.START_ARRAY);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      each.read(p);
    }
  }

  private static void expect(JsonParser p, JsonToken token) {
    if (p.currentToken() != token) {
      throw new IllegalArgumentException(
          "the JVM's thread dump is not the JSON expected: " + token + " expected, " + p.currentToken() + " found at offset " + p.currentLocation().getCharOffset());
    }
  }

  private static DumpedThread fromThreadInfo(ThreadInfo info) {
    List<Frame> stack = new ArrayList<>();
    for (StackTraceElement e : info.getStackTrace()) {
      stack.add(
          new Frame(
              e.getClassName() + "." + e.getMethodName(),
              e.getFileName() == null ? "" : e.getFileName(),
              Math.max(0, e.getLineNumber()),
              e.isNativeMethod() ? FrameKind.NATIVE : FrameKind.JAVA));
    }
    return new DumpedThread(info.getThreadName(), info.getThreadId(), false, info.getThreadState().name(), stack);
  }

  /**
   * Reads a frame as {@code StackTraceElement.toString()} writes it: {@code
   * [loader/][module[@version]/]class.method(File.java:12)}, {@code (Native Method)} or {@code
   * (Unknown Source)}. Only a hidden class's name has a slash of its own ({@code Foo$$Lambda/0x...}).
   */
  static Frame parseFrame(String text) {
    int open = text.lastIndexOf('(');
    String head = open < 0 ? text : text.substring(0, open);
    String where = open < 0 ? "" : text.substring(open + 1, text.endsWith(")") ? text.length() - 1 : text.length());
    String[] parts = head.split("/", -1);
    int n = parts.length;
    String function = n >= 2 && parts[n - 1].startsWith("0x") ? parts[n - 2] + "/" + parts[n - 1] : parts[n - 1];
    if (where.equals("Native Method")) {
      return new Frame(function, "", 0, FrameKind.NATIVE);
    }
    if (where.isEmpty() || where.equals("Unknown Source")) {
      return new Frame(function, "", 0, FrameKind.JAVA);
    }
    int colon = where.lastIndexOf(':');
    int line = 0;
    String file = where;
    if (colon > 0) {
      try {
        line = Integer.parseInt(where.substring(colon + 1));
        file = where.substring(0, colon);
      } catch (NumberFormatException e) {
        // a file name with a colon and no line
      }
    }
    return new Frame(function, file, line, FrameKind.JAVA);
  }
}
