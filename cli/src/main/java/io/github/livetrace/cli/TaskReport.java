package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.TaskDetails;
import io.github.livetrace.cli.internal.TaskDetails.Detail;
import io.github.livetrace.cli.internal.TaskDetails.Kind;
import io.github.livetrace.cli.internal.TaskDetails.Step;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TaskKeys;
import io.github.livetrace.internal.Durations;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints the tasks found by {@code tasks}: a header per task, then its timeline. */
final class TaskReport {
  private static final int CHILDREN_SHOWN = 10;

  private final Fleet fleet;
  private final TaskSearch search;
  private final TaskDetails details;

  TaskReport(Fleet fleet, TaskSearch search, TaskDetails details) {
    this.fleet = fleet;
    this.search = search;
    this.details = details;
  }

  /** What was read, for the header line: the file, or how many files. */
  static String source(Fleet fleet) {
    return fleet.parts().size() == 1 ? fleet.parts().get(0).file().path().toString() : fleet.parts().size() + " files";
  }

  void print(PrintWriter out) {
    List<Detail> tasks = details.details();
    out.printf(Locale.ROOT, "%,d of %,d tasks match in %s; the %d slowest:%n", search.matches(),
        search.tasksSeen(), source(fleet), tasks.size());
    for (Detail detail : tasks) {
      out.println();
      task(out, detail);
    }
  }

  private void task(PrintWriter out, Detail detail) {
    TaskSearch.Match task = detail.match();
    out.printf(Locale.ROOT, "task %d  %s  %s%s%n", TaskKeys.id(task.taskId()), task.type(),
        Durations.format(task.durationNanos()), task.ended() ? "" : " (unfinished: still open at the end of the trace)");
    if (fleet.isFleet()) {
      out.printf(Locale.ROOT, "  jvm       %s%n", fleet.jvms().get(TaskKeys.jvm(task.taskId())).name());
    }
    long sinceStart = task.beginNanos() - fleet.startNanos();
    out.printf(Locale.ROOT, "  began     %s%s%n", sinceStart < 0
        ? Durations.format(-sinceStart) + " before the trace started"
        : "+" + Durations.format(sinceStart) + " into the trace",
        task.begunInTrace() ? "" : " (its begin event is not in the trace: end minus duration)");
    if (task.parentId() != 0) {
      out.printf(Locale.ROOT, "  parent    %d %s%n", TaskKeys.id(task.parentId()),
          detail.parentType() == null ? "(not in the trace)" : detail.parentType());
    }
    List<TaskDetails.Child> children = detail.children();
    if (!children.isEmpty()) {
      List<String> shown = new ArrayList<>();
      for (TaskDetails.Child child : children.subList(0, Math.min(CHILDREN_SHOWN, children.size()))) {
        shown.add(TaskKeys.id(child.taskId()) + " " + child.type() + " "
            + (child.durationNanos() < 0 ? "(unfinished)" : Durations.format(child.durationNanos())));
      }
      long more = children.size() - shown.size() + detail.moreChildren();
      out.printf(Locale.ROOT, "  children  %d: %s%s%n", children.size() + detail.moreChildren(),
          String.join(", ", shown), more > 0 ? ", and " + more + " more" : "");
    }
    List<String> threads = new ArrayList<>();
    for (TaskDetails.TaskThread thread : detail.threads()) {
      List<String> earlier = thread.names().subList(0, thread.names().size() - 1);
      threads.add(thread.name() + (earlier.isEmpty() ? "" : ", formerly " + String.join(", ", earlier))
          + " (" + thread.regions() + " region" + (thread.regions() == 1 ? "" : "s") + ")");
    }
    out.printf(Locale.ROOT, "  threads   %s%n", String.join(", ", threads));
    timeline(out, task, detail.steps());
    if (detail.droppedSteps() > 0) {
      out.printf(Locale.ROOT, "  ... and %,d later events not shown%n", detail.droppedSteps());
    }
  }

  /**
   * The steps in time order, each indented under the regions of its thread that contain it. A
   * region that began inside another but ended after it (regions ended out of order, as by two
   * requests that one event loop thread serves) is not indented under it: it is marked instead.
   */
  private static void timeline(PrintWriter out, TaskSearch.Match task, List<Step> steps) {
    int threadWidth = "THREAD".length();
    for (Step step : steps) {
      threadWidth = Math.max(threadWidth, step.thread().length());
    }
    String row = "  %10s  %9s  %-" + threadWidth + "s  %s%n";
    out.printf(Locale.ROOT, row, "WHEN", "DURATION", "THREAD", "EVENT");
    Map<Long, List<Step>> openRegions = new HashMap<>(); // per thread id
    for (Step step : steps) {
      List<Step> open = openRegions.computeIfAbsent(step.threadId(), t -> new ArrayList<>());
      open.removeIf(region -> end(region) <= step.atNanos());
      int depth = 0;
      Step overlapped = null;
      for (Step region : open) {
        if (end(region) >= end(step)) {
          depth++;
        } else if (overlapped == null) {
          overlapped = region;
        }
      }
      long offset = step.atNanos() - task.beginNanos();
      String when = (offset < 0 ? "" : "+") + Durations.format(offset);
      String event;
      switch (step.kind()) {
        case TASK_BEGIN:
          event = "task begin";
          break;
        case TASK_END:
          event = "task end";
          break;
        case REGION:
          event = "region " + oneLine(step.text());
          break;
        default:
          event = "log " + oneLine(step.text());
          break;
      }
      if (overlapped != null && step.kind() == Kind.REGION) {
        event += "  (not nested: began inside region " + oneLine(overlapped.text()) + ", which ended first)";
      }
      out.printf(Locale.ROOT, row, when, step.kind() == Kind.REGION ? Durations.format(step.durationNanos()) : "",
          step.thread(), "  ".repeat(depth) + event);
      if (step.kind() == Kind.REGION) {
        open.add(step);
      }
    }
  }

  private static long end(Step step) {
    return step.atNanos() + step.durationNanos();
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replace("\r", "\\r").replace("\n", "\\n");
  }
}
