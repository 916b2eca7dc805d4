package io.github.livetrace.cli;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records a known workload into a file, run in a child JVM of another JDK by {@link
 * Recordings#recordOnOtherJdk}: {@code TASKS} tasks of type TYPE, each with a 10 ms region
 * {@code brew} and a log.
 */
public final class OtherJdkRecording {
  static final int TASKS = 3;

  private OtherJdkRecording() {}

  @SuppressWarnings("try") // scopes are closed, not used
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String type = args[1];
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out))) {
      Trace.start(file);
      try {
        for (int i = 0; i < TASKS; i++) {
          Task task = Trace.newTask(type);
          try (Task.Scope scope = task.makeCurrent()) {
            Trace.withRegion("brew", () -> Recordings.work(10));
            Trace.log("jdk", Runtime.version().toString());
          } finally {
            task.end();
          }
        }
      } finally {
        Trace.stop();
      }
    }
  }
}
