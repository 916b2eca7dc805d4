package io.github.livetrace.cli.internal;

import static io.github.livetrace.cli.internal.ViewPages.esc;

import io.github.livetrace.internal.Durations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "meanwhile" section of a task's or a region's page: what each of its threads did during its
 * span, read by {@link ThreadActivity}, as one chart on one time axis with a row per thread: the
 * task's regions, the blocked states, the CPU samples, and the JVM's GC pauses across all rows.
 * As on every page, a table holds what the chart draws ({@code view.js} draws it from there).
 */
final class ActivitySection {
  /**
   * A region to draw on its thread's row.
   *
   * @param threadId its thread's {@link io.github.livetrace.cli.internal.jfr.JfrThread#id()}
   * @param startNanos when it began, nanoseconds since the epoch
   * @param durationNanos how long it took
   * @param type its region type
   */
  record Region(long threadId, long startNanos, long durationNanos, String type) {}

  private ActivitySection() {}

  /**
   * Appends the section for a task: its threads (those its events are on) from its begin to its
   * end event, with its regions.
   *
   * @param key the task's {@linkplain TaskKeys key}
   */
  static void appendForTask(StringBuilder b, Fleet fleet, long key, TaskDetails.Detail detail) throws BadInputException, IOException {
    Map<Long, String> threads = new LinkedHashMap<>(); // in the order the task came to them; latest names
    List<Region> regions = new ArrayList<>();
    TaskSearch.Match task = detail.match();
    // The span ends with its end event: begin plus taskDuration, measured with another clock, may be
    // a little later, when the thread already works for something else.
    long end = task.beginNanos() + task.durationNanos();
    for (TaskDetails.Step step : detail.steps()) {
      if (step.kind() == TaskDetails.Kind.TASK_END) {
        end = step.atNanos();
      }
      if (step.threadId() != 0) {
        threads.put(step.threadId(), step.thread());
      }
      if (step.kind() == TaskDetails.Kind.REGION) {
        regions.add(new Region(step.threadId(), step.atNanos(), step.durationNanos(), step.text()));
      }
    }
    append(b, fleet, TaskKeys.jvm(key), threads, task.beginNanos(), end, regions);
  }

  /**
   * Appends the section.
   *
   * @param threads the rows: thread ids with the names shown, in order
   * @param fromNanos the span's start, nanoseconds since the epoch: 0 on the chart's axis
   * @param toNanos its end
   * @param regions regions to draw on their threads' rows
   */
  static void append(StringBuilder b, Fleet fleet, int jvm, Map<Long, String> threads, long fromNanos, long toNanos,
      List<Region> regions) throws BadInputException, IOException {
    ThreadActivity activity = ThreadActivity.of(fleet, jvm, threads.keySet(), fromNanos, toNanos);
    List<Long> lanes = new ArrayList<>(threads.keySet());
    b.append(threads.size() == 1 ? "<h2>Meanwhile on its thread</h2>" : "<h2>Meanwhile on its threads</h2>")
        .append("<p class=note>Regions; blocked states (")
        .append("jdk.JavaMonitorEnter, jdk.JavaMonitorWait, jdk.ThreadPark, jdk.ThreadSleep, socket and file I/O, as JFR's")
        .append(" thresholds let through); CPU samples (jdk.ExecutionSample, a tick each); GC pauses (jdk.GCPhasePause),")
        .append(" which stop every thread, across all rows. Times are since the start of the span, ")
        .append(esc(Durations.format(toNanos - fromNanos))).append(" long.</p>");
    b.append("<div class=activity></div><details><summary>events</summary><table id=activity><thead><tr>")
        .append("<th class=n>when</th><th class=n>duration</th><th>thread</th><th>kind</th><th>event</th><th>what</th></tr></thead><tbody>");
    for (Region region : regions) {
      row(b, "region", lanes.indexOf(region.threadId()), threads.get(region.threadId()), "livetrace.Region",
          region.type(), region.startNanos() - fromNanos, region.durationNanos());
    }
    for (ThreadActivity.Interval blocked : activity.blocked()) {
      row(b, "blocked", lanes.indexOf(blocked.threadId()), threads.get(blocked.threadId()), blocked.event(), blocked.what(),
          blocked.startNanos() - fromNanos, blocked.endNanos() - blocked.startNanos());
    }
    for (ThreadActivity.Sample sample : activity.samples()) {
      row(b, "sample", lanes.indexOf(sample.threadId()), threads.get(sample.threadId()), "jdk.ExecutionSample",
          sample.topFrame(), sample.atNanos() - fromNanos, 0);
    }
    for (ThreadActivity.Interval pause : activity.gcPauses()) {
      row(b, "gc", -1, "(all)", pause.event(), pause.what(), pause.startNanos() - fromNanos, pause.endNanos() - pause.startNanos());
    }
    b.append("</tbody></table></details>");
    if (activity.dropped() > 0) {
      b.append("<p class=note>and ").append(activity.dropped()).append(" later events not shown (")
          .append(ThreadActivity.MAX_PER_KIND).append(" of each kind are)</p>");
    }
    List<String> names = new ArrayList<>();
    lanes.forEach(id -> names.add(threads.get(id)));
    b.append("<script type=application/json id=activity-lanes>").append(ViewPages.jsonArray(names)).append("</script>")
        .append("<script type=application/json id=activity-span>[").append(toNanos - fromNanos).append("]</script>");
  }

  private static void row(StringBuilder b, String kind, int lane, String thread, String event, String what, long at,
      long duration) {
    b.append("<tr class=").append(kind).append(" data-lane=").append(lane).append(" data-at=").append(at)
        .append(" data-duration=").append(duration).append("><td class=n>").append(esc(ViewPages.offset(at)))
        .append("</td><td class=n>").append(duration > 0 ? esc(Durations.format(duration)) : "").append("</td><td class=thread>")
        .append(esc(thread)).append("</td><td>").append(kind).append("</td><td>").append(esc(event))
        .append("</td><td class=what>").append(esc(what)).append("</td></tr>");
  }
}
