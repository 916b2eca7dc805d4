package io.github.livetrace.cli.internal;

import static io.github.livetrace.cli.internal.ViewPages.esc;

import io.github.livetrace.cli.internal.ViewPages.Refused;
import io.github.livetrace.internal.Durations;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The page of one region instance, {@code /region/JVM/THREAD/START}: JVM the JVM's index, THREAD
 * the thread's id, START when the region began in nanoseconds since the epoch, which identify it
 * (of two regions that began together on a thread, the outer one). It shows the region, its task,
 * the region it is nested in and the regions and logs nested in it, and what its thread did
 * meanwhile ({@link ActivitySection}). Only the chunks around the region are read.
 */
final class RegionPage {
  private RegionPage() {}

  /** A link to the page of the region of that thread ({@link io.github.livetrace.cli.internal.jfr.JfrThread#id()}) and start. */
  static String link(int jvm, long threadId, long startNanos, String html) {
    return "<a class=region-link href=\"/region/" + jvm + "/" + threadId + "/" + startNanos + "\">" + html + "</a>";
  }

  /** The page for the path after {@code /region/}. */
  static String html(Fleet fleet, String path) throws Refused, BadInputException, IOException {
    String[] parts = path.split("/", -1);
    if (parts.length != 3 || !parts[0].matches("\\d{1,4}") || !parts[1].matches("\\d{1,18}") || !parts[2].matches("\\d{1,19}")) {
      throw new Refused(404, "there is no region " + path + ": a region's page is /region/JVM/THREAD/START, JVM 0 to "
          + (fleet.jvms().size() - 1) + ", THREAD the thread's id, START when it began in nanoseconds since the epoch", "/regions");
    }
    int jvm = Integer.parseInt(parts[0]);
    long threadId = Long.parseLong(parts[1]);
    long start;
    try {
      start = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      start = -1;
    }
    ThreadRegions.Event region = jvm < fleet.jvms().size() && start >= 0 ? find(fleet, jvm, threadId, start) : null;
    if (region == null) {
      throw new Refused(404, "the trace has no region that began at " + start + " on thread " + threadId
          + (fleet.isFleet() && jvm < fleet.jvms().size() ? " of " + fleet.jvms().get(jvm).name() : ""), "/regions");
    }
    long end = region.endNanos();
    ThreadRegions around = read(fleet, jvm, threadId, start, end, start, end);

    StringBuilder b = new StringBuilder("<table class=facts>");
    fact(b, "type", "<a id=type href=\"/regions/list?type=" + esc(ViewPages.url(region.text())) + "\">" + esc(ViewPages.display(region.text())) + "</a>");
    fact(b, "duration", "<span id=duration>" + esc(Durations.format(region.durationNanos())) + "</span>");
    fact(b, "thread", "<span id=thread>" + esc(region.thread()) + "</span> (id " + threadId + ")");
    if (fleet.isFleet()) {
      fact(b, "jvm", esc(fleet.jvms().get(jvm).name()));
    }
    fact(b, "began", esc("+" + Durations.format(start - fleet.startNanos()) + " into the trace"));
    fact(b, "task", region.taskId() == 0 ? "(none: the background task)"
        : "<span id=task>" + ViewPages.taskLink(TaskKeys.key(region.taskId(), jvm), "task " + region.taskId()) + "</span>");
    b.append("</table>");

    b.append("<h2>Regions and logs on its thread</h2><table id=nested><thead><tr><th class=n>when</th><th class=n>duration</th>")
        .append("<th>event</th><th>task</th></tr></thead><tbody>");
    Map<Long, String> threads = new LinkedHashMap<>();
    threads.put(threadId, region.thread());
    List<ActivitySection.Region> drawn = new java.util.ArrayList<>();
    for (ThreadRegions.Event e : around.events()) {
      boolean self = e.equals(region);
      String relation = !e.region() ? "log" : self ? "this region" : e.startNanos() <= start && e.endNanos() >= end ? "encloses it" : "nested";
      b.append("<tr class=\"").append(e.region() ? "region" : "log").append(self ? " self" : "").append("\"><td class=n>")
          .append(esc(ViewPages.offset(e.startNanos() - start))).append("</td><td class=n>")
          .append(e.region() ? esc(Durations.format(e.durationNanos())) : "").append("</td><td>").append(relation).append(' ')
          .append(e.region() && !self ? link(jvm, threadId, e.startNanos(), "<span class=text>" + esc(e.text()) + "</span>")
              : "<span class=text>" + esc(e.text()) + "</span>")
          .append("</td><td>").append(e.taskId() == 0 ? "" : ViewPages.taskLink(TaskKeys.key(e.taskId(), jvm), String.valueOf(e.taskId())))
          .append("</td></tr>");
      if (e.region()) {
        drawn.add(new ActivitySection.Region(threadId, e.startNanos(), e.durationNanos(), e.text()));
      }
    }
    b.append("</tbody></table>");
    if (around.dropped() > 0) {
      b.append("<p class=note>and ").append(around.dropped()).append(" more not shown</p>");
    }
    ActivitySection.append(b, fleet, jvm, threads, start, end, drawn);
    return ViewPages.layout("Region " + ViewPages.display(region.text()), b.toString());
  }

  /**
   * The region that began at {@code start} on the thread: in the chunks around its start, or, for
   * one longer than a chunk (written when it ended), in the chunks after.
   */
  private static ThreadRegions.Event find(Fleet fleet, int jvm, long threadId, long start) throws BadInputException, IOException {
    ThreadRegions.Event found = outermostAt(read(fleet, jvm, threadId, start, start, start, start), start);
    return found != null ? found : outermostAt(read(fleet, jvm, threadId, start, fleet.endNanos(), start, start), start);
  }

  private static ThreadRegions.Event outermostAt(ThreadRegions regions, long start) {
    return regions.events().stream().filter(e -> e.region() && e.startNanos() == start).findFirst().orElse(null);
  }

  /** The regions and logs of the thread in {@code [from, to]}, from the chunks around {@code [chunksFrom, chunksTo]}. */
  private static ThreadRegions read(Fleet fleet, int jvm, long threadId, long chunksFrom, long chunksTo, long from, long to)
      throws BadInputException, IOException {
    ThreadRegions regions = new ThreadRegions(threadId, from, to);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), part.jvmOfChunk(), jvm, chunksFrom, chunksTo, regions);
    }
    return regions;
  }

  private static void fact(StringBuilder b, String name, String html) {
    b.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>");
  }
}
