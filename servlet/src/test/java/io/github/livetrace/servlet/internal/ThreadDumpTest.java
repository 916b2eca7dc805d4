package io.github.livetrace.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import io.github.livetrace.servlet.internal.ThreadDump.DumpedThread;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadDumpTest {
  @Test
  void framesAsStackTraceElementWritesThem() {
    assertEquals(new Frame("java.lang.Thread.sleep", "Thread.java", 540, FrameKind.JAVA), ThreadDump.parseFrame("java.base/java.lang.Thread.sleep(Thread.java:540)"));
    assertEquals(new Frame("java.lang.Thread.sleep0", "", 0, FrameKind.NATIVE), ThreadDump.parseFrame("java.base/java.lang.Thread.sleep0(Native Method)"));
    assertEquals(new Frame("com.example.Shop.order", "Shop.java", 12, FrameKind.JAVA), ThreadDump.parseFrame("app//com.example.Shop.order(Shop.java:12)"));
    assertEquals(new Frame("com.example.Shop.order", "Shop.java", 12, FrameKind.JAVA), ThreadDump.parseFrame("com.example.Shop.order(Shop.java:12)"));
    assertEquals(new Frame("lib.Util.run", "Util.java", 3, FrameKind.JAVA), ThreadDump.parseFrame("app/lib@1.2/lib.Util.run(Util.java:3)"));
    assertEquals(
        new Frame("com.example.Shop$$Lambda/0x00007f0001.run", "", 0, FrameKind.JAVA),
        ThreadDump.parseFrame("app//com.example.Shop$$Lambda/0x00007f0001.run(Unknown Source)"));
    assertEquals(new Frame("Main.main", "Main.java", 0, FrameKind.JAVA), ThreadDump.parseFrame("Main.main(Main.java)"));
  }

  @Test
  void theJsonDumpOfEveryContainerIsRead() {
    String json =
        "{\"threadDump\": {\"processId\": \"1\", \"threadContainers\": ["
            + "{\"container\": \"<root>\", \"parent\": null, \"threads\": ["
            + "{\"tid\": \"1\", \"name\": \"main\", \"state\": \"RUNNABLE\", \"stack\": [\"java.base\\/java.lang.Thread.sleep0(Native Method)\", \"Main.main(Main.java:3)\"]},"
            + "{\"tid\": \"22\", \"virtual\": true, \"name\": \"v \\\"1\\\"\", \"stack\": []}]},"
            + "{\"container\": \"ForkJoinPool-1\", \"threads\": [{\"tid\": \"23\", \"name\": \"carrier\", \"state\": \"WAITING\", \"stack\": []}], \"threadCount\": \"1\"}"
            + "]}}";
    List<DumpedThread> threads = ThreadDump.fromJson(json);
    assertEquals(3, threads.size());
    assertEquals(new DumpedThread("main", 1, false, "RUNNABLE", List.of(ThreadDump.parseFrame("java.base/java.lang.Thread.sleep0(Native Method)"), ThreadDump.parseFrame("Main.main(Main.java:3)"))), threads.get(0));
    assertEquals("v \"1\"", threads.get(1).name());
    assertTrue(threads.get(1).virtual());
    assertEquals("", threads.get(1).state(), "JDK 21-24 write no state for virtual threads");
    assertEquals("carrier", threads.get(2).name());
  }

  @Test
  void aPlatformThreadWithoutAStateGetsItFromThreadMXBean() {
    long me = Thread.currentThread().getId();
    String json =
        "{\"threadDump\": {\"threadContainers\": [{\"container\": \"<root>\", \"threads\": ["
            + "{\"tid\": \"" + me + "\", \"name\": \"me\", \"stack\": []},"
            + "{\"tid\": \"" + Long.MAX_VALUE + "\", \"name\": \"gone\", \"stack\": []}]}]}}"; // JDK 21-24: no states
    List<DumpedThread> threads = ThreadDump.fromJson(json);
    assertEquals("RUNNABLE", threads.get(0).state());
    assertEquals("", threads.get(1).state(), "a thread that ended since the dump keeps no state");
  }

  @Test
  void aDumpThatIsNotTheJsonExpectedIsAnErrorThatSaysWhere() {
    IllegalArgumentException broken =
        assertThrows(IllegalArgumentException.class, () -> ThreadDump.fromJson("{\"threadDump\": {\"threadContainers\": [{\"threads\": [{\"tid\": \"1\",}]}]}}"));
    assertTrue(broken.getMessage().endsWith("was expecting double-quote to start property name at offset 62"), broken.getMessage());
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> ThreadDump.fromJson("{\"threadDump\": {\"threadContainers\": {}}}"));
    assertTrue(shape.getMessage().contains("START_ARRAY expected, START_OBJECT found at offset 37"), shape.getMessage());
  }

  @Test
  void thisJvmsDumpHasThisThread() throws Exception {
    List<DumpedThread> threads = ThreadDump.take();
    DumpedThread me = threads.stream().filter(t -> t.id() == Thread.currentThread().getId()).findFirst().orElseThrow();
    assertEquals("RUNNABLE", me.state());
    assertTrue(me.stack().stream().anyMatch(f -> f.function().equals(getClass().getName() + ".thisJvmsDumpHasThisThread")), me.stack().toString());
  }
}
