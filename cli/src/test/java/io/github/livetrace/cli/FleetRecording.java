package io.github.livetrace.cli;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One pod of a fleet, in a JVM of its own: records {@code TASKS} tasks of type {@code order}, each
 * a region {@code brew} of the given milliseconds, into a file (after a few untraced ones, so that
 * class loading does not make one of them slow). Fresh JVMs number their tasks
 * alike, from 1, so that files of several collide unless the reader keys ids by JVM.
 */
public final class FleetRecording {
  static final int TASKS = 100;

  private FleetRecording() {}

  @SuppressWarnings("try") // scopes are closed, not used
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    long millis = Long.parseLong(args[1]);
    for (int i = 0; i < 10; i++) { // untraced: the first tasks of a JVM are slow (class loading, JIT)
      Trace.newTask("warm-up").end();
      Trace.withRegion("brew", () -> Recordings.work(millis));
    }
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out))) {
      Trace.start(file);
      try {
        for (int i = 0; i < TASKS; i++) {
          Task task = Trace.newTask("order");
          try (Task.Scope scope = task.makeCurrent()) {
            Trace.withRegion("brew", () -> Recordings.work(millis));
          } finally {
            task.end();
          }
        }
      } finally {
        Trace.stop();
      }
    }
  }

  /** Records pods in parallel child JVMs of this JDK: one file per entry of {@code millis}, named pod-N.jfr. */
  static List<Path> record(Path dir, long... millis) throws Exception {
    List<Process> processes = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < millis.length; i++) {
      Path file = dir.resolve("pod-" + i + ".jfr");
      files.add(file);
      processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), FleetRecording.class.getName(), file.toString(), Long.toString(millis[i]))
          .redirectErrorStream(true).redirectOutput(dir.resolve("pod-" + i + ".log").toFile()).start());
    }
    for (Process p : processes) {
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("a pod's recording did not finish");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("a pod's recording failed");
      }
    }
    return files;
  }
}
