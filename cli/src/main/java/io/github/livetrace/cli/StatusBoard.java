package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.fleet.FleetPull;
import io.github.livetrace.cli.internal.fleet.Pod;
import io.github.livetrace.internal.ByteSizes;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pull's progress on stderr, a line per pod (state and bytes), redrawn twice a second while
 * stderr is a terminal; nothing otherwise, so that logs and pipes stay clean.
 */
final class StatusBoard implements FleetPull.Progress, AutoCloseable {
  private final PrintWriter err;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private final ScheduledExecutorService painter;
  private int drawn;

  private StatusBoard(PrintWriter err, List<Pod> pods, boolean terminal) {
    this.err = err;
    pods.forEach(p -> lines.put(key(p), "waiting"));
    if (terminal) {
      painter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "livetrace pull progress");
        t.setDaemon(true);
        return t;
      });
      painter.scheduleWithFixedDelay(this::draw, 0, 500, TimeUnit.MILLISECONDS);
    } else {
      painter = null;
    }
  }

  /** A board that draws only when this JVM has a terminal (System.console(): stdin and stdout are one). */
  static StatusBoard forStderr(PrintWriter err, List<Pod> pods) {
    return new StatusBoard(err, pods, System.console() != null);
  }

  private static String key(Pod p) {
    return p.namespace() + "/" + p.name();
  }

  @Override
  public synchronized void update(Pod pod, String state, long bytes) {
    lines.put(key(pod), bytes > 0 ? state + " " + ByteSizes.format(bytes) : state);
  }

  private synchronized void draw() {
    StringBuilder screen = new StringBuilder();
    if (drawn > 0) {
      screen.append("\033[").append(drawn).append('F'); // back to the board's first line
    }
    lines.forEach((pod, state) -> screen.append("\033[2K").append(String.format("%-40s %s%n", pod, state)));
    drawn = lines.size();
    err.print(screen);
    err.flush();
  }

  @Override
  public void close() {
    if (painter != null) {
      painter.shutdownNow();
      draw();
    }
  }
}
