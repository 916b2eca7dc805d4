package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.TraceSummary.LogStats;
import io.github.livetrace.cli.internal.TraceSummary.ThreadStats;
import io.github.livetrace.cli.internal.TraceSummary.TypeStats;
import io.github.livetrace.internal.Durations;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pages of {@code livetrace view}, rendered on the server as small HTML documents whose
 * tables hold every number; {@code view.js} draws the charts from those tables with ECharts.
 * The summary (type tables, histograms, JVMs) is read once, before serving; the list of
 * instances in a latency range and a task's page read the trace again through {@link
 * TaskSearch}, {@link TaskDetails} and {@link RegionSearch}, as {@code tasks} does, so that memory
 * stays what {@code summary} and {@code tasks} need; a task's page reads only the chunks that the
 * summary's {@link TaskIndex} says can hold it ({@link TaskLookup}).
 *
 * <ul>
 *   <li>{@code /}: the trace's time span, chunks, JVMs, threads and event counts.
 *   <li>{@code /tasks}, {@code /regions}: per type, the count, percentiles and a log-scale latency
 *       histogram, per JVM when there are several.
 *   <li>{@code /tasks/list?type=T&min=D&max=D&jvm=N}, {@code /regions/list?...}: the slowest
 *       instances in that range (durations as {@link Durations#parse} reads them; bounds
 *       inclusive), each linked to its task.
 *   <li>{@code /task/JVM/ID}: a task (JVM is the JVM's index, ID the JVM's own task id): its
 *       parent, children, threads, and regions and logs on one time axis, and what its threads did
 *       meanwhile ({@link ActivitySection}).
 *   <li>{@code /region/JVM/THREAD/START}: a region instance ({@link RegionPage}).
 *   <li>{@code /flame?kind=K&...}: a flame graph of the whole trace, a task, a task type or a span
 *       of time ({@link FlamePage}); the whole trace's and the types' are made once, in the
 *       background, from the first page on ({@link TraceProfiles}).
 *   <li>{@code /timeline?from=F&to=T}, {@code /timeline.json}, {@code /perfetto}: {@link
 *       TimelinePage}.
 *   <li>{@code /findings}: {@link FindingsPage}.
 * </ul>
 *
 * An unknown type, task or path is a 404 page; a bad parameter a 400 page that says what is
 * accepted. Every text from the trace is escaped.
 */
final class ViewPages implements AutoCloseable {
  /** Buckets per power of ten in the histograms: bounds 1, 1.78, 3.16, 5.62, 10, ... */
  static final int BUCKETS_PER_DECADE = TraceSummary.CHART_BUCKETS_PER_DECADE;

  /** Instances listed per range. */
  static final int LIST_LIMIT = 100;

  /**
   * An answer: status, type and body.
   *
   * @param scriptHash the CSP source ({@code 'sha256-...'}) of the one inline script the page may
   *     run; null for pages that run the viewer's own scripts only
   */
  record Response(int status, String contentType, byte[] body, boolean cacheable, String scriptHash) {
    Response(int status, String contentType, byte[] body, boolean cacheable) {
      this(status, contentType, body, cacheable, null);
    }

    static Response html(int status, String html) {
      return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), false);
    }

    static Response text(int status, String text) {
      return new Response(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8), false);
    }
  }

  /** A request the pages refuse, with its status and a one-line reason. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String back; // the page to go back to

    Refused(int status, String message, String back) {
      super(message);
      this.status = status;
      this.back = back;
    }
  }

  private final Fleet fleet;
  private final TraceSummary summary;
  // The summary's lists, taken once: a summary is not to be finished by two threads at once.
  private final List<TypeStats> tasks;
  private final List<TypeStats> regions;
  private final List<List<TypeStats>> tasksByJvm;
  private final List<LogStats> logs;
  private final List<ThreadStats> threads;
  private final TimelinePage timeline;
  private final FindingsPage findings;
  private final TraceProfiles profiles;
  // The slowest instances of each histogram bucket, from one pass after the first page; until it
  // is done, or where it cannot tell, a list reads the trace as `tasks` does.
  private volatile InstanceLists lists;
  private final AtomicBoolean listsStarted = new AtomicBoolean();

  ViewPages(Fleet fleet, TraceSummary summary) {
    this(fleet, summary, TimelinePage.EVENTS_PER_WINDOW);
  }

  ViewPages(Fleet fleet, TraceSummary summary, long timelineEventsPerWindow) {
    this.fleet = fleet;
    this.summary = summary;
    this.tasks = summary.tasks();
    this.regions = summary.regions();
    this.tasksByJvm = summary.tasksByJvm();
    this.logs = summary.logs();
    this.threads = summary.threads();
    this.timeline = new TimelinePage(fleet, timelineEventsPerWindow);
    this.findings = new FindingsPage(fleet, timeline);
    this.profiles = new TraceProfiles(fleet);
  }

  /** Stops what the pages started: the Perfetto hand-over's server. */
  @Override
  public void close() {
    timeline.close();
  }

  /** The page at {@code path}; {@code rawQuery} as the URL has it, or null. */
  Response page(String path, String rawQuery) {
    try {
      return answer(path, rawQuery);
    } finally {
      startLists(); // after the first page: the lists of the histograms' buckets
      profiles.start(); // and the flame graphs that need every chunk
    }
  }

  private void startLists() {
    if (listsStarted.getAndSet(true)) {
      return;
    }
    Thread pass = new Thread(() -> {
      try {
        lists = InstanceLists.of(fleet, BUCKETS_PER_DECADE, LIST_LIMIT);
      } catch (BadInputException | IOException | RuntimeException | OutOfMemoryError e) {
        // the lists are a shortcut: without them, each list reads the trace, and says so if it cannot
      }
    }, "livetrace-view-lists");
    pass.setDaemon(true); // the viewer ends without waiting for it
    pass.start();
  }

  private Response answer(String path, String rawQuery) {
    try {
      Map<String, String> query = query(rawQuery);
      if (path.equals("/")) {
        return Response.html(200, overview());
      } else if (path.equals("/tasks")) {
        return Response.html(200, types("Task types", "task", tasks, true));
      } else if (path.equals("/regions")) {
        return Response.html(200, types("Region types", "region", regions, false));
      } else if (path.equals("/tasks/list")) {
        return Response.html(200, taskList(query));
      } else if (path.equals("/regions/list")) {
        return Response.html(200, regionList(query));
      } else if (path.equals("/timeline") || path.equals("/timeline.json")) {
        return timeline.page(path, query);
      } else if (path.equals("/perfetto")) {
        return timeline.perfetto(query);
      } else if (path.equals("/findings")) {
        return findings.page();
      } else if (path.startsWith("/task/")) {
        return Response.html(200, task(path.substring("/task/".length())));
      } else if (path.equals("/flame")) {
        return FlamePage.response(fleet, tasks, summary.taskIndex(), profiles, query);
      } else if (path.startsWith("/region/")) {
        return Response.html(200, RegionPage.html(fleet, path.substring("/region/".length())));
      }
      throw new Refused(404, "there is no page " + path, "/");
    } catch (Refused e) {
      return Response.html(e.status, layout(e.status == 404 ? "Not found" : e.status == 400 ? "Bad request" : "Not available",
          "<p class=error>" + esc(e.getMessage()) + "</p><p><a href=\"" + esc(e.back) + "\">Back</a> · <a href=\"/\">Overview</a></p>"));
    } catch (BadInputException | IOException e) {
      return Response.html(500, layout("The trace cannot be read",
          "<p class=error>" + esc(e.getMessage()) + "</p><p><a href=\"/\">Overview</a></p>"));
    }
  }

  // ---------------------------------------------------------------- overview

  private String overview() {
    StringBuilder b = new StringBuilder();
    long size = fleet.parts().stream().mapToLong(p -> p.file().size()).sum();
    int chunks = fleet.parts().stream().mapToInt(p -> p.file().chunks().size()).sum();
    long annotated = threads.stream().filter(t -> t.annotations() > 0).count();
    b.append("<table class=facts>");
    fact(b, "trace", esc(source()) + " (" + esc(bytes(size)) + ")");
    fact(b, "time", esc(Timestamps.instant(fleet.startNanos()) + " to " + Timestamps.instant(fleet.endNanos()))
        + " (<span id=span>" + esc(Durations.format(fleet.endNanos() - fleet.startNanos())) + "</span>)");
    fact(b, "chunks", "<span id=chunks>" + chunks + "</span>");
    fact(b, "jvms", "<span id=jvms>" + fleet.jvms().size() + "</span>");
    fact(b, "threads", "<span id=threads>" + threads.size() + "</span> (" + annotated + " with tasks, regions or logs)");
    fact(b, "events", "<span id=events>" + summary.events() + "</span> (" + summary.annotationEvents() + " livetrace)");
    fact(b, "tasks", "<a href=\"/tasks\">" + count(tasks) + " in " + tasks.size() + " type" + (tasks.size() == 1 ? "" : "s") + "</a>");
    fact(b, "regions", "<a href=\"/regions\">" + count(regions) + " in " + regions.size() + " type" + (regions.size() == 1 ? "" : "s") + "</a>");
    fact(b, "profiles", FlamePage.links("") + FlamePage.rangeForm());
    if (summary.misuse() > 0) {
      fact(b, "misuse", summary.misuse() + " livetrace.Misuse events: the annotation API was used wrongly");
    }
    b.append("</table>");

    b.append("<h2>JVMs</h2><table id=jvm-table><thead><tr><th>JVM</th><th>pid</th><th>started</th><th>Java</th>"
        + "<th class=n>chunks</th><th class=n>threads</th><th class=n>events</th><th class=n>tasks</th></tr></thead><tbody>");
    for (Fleet.Jvm jvm : fleet.jvms()) {
      int jvmChunks = 0;
      for (Fleet.Part part : fleet.parts()) {
        for (int j : part.jvmOfChunk()) {
          jvmChunks += j == jvm.index() ? 1 : 0;
        }
      }
      long jvmThreads = threads.stream().filter(t -> t.jvm() == jvm.index()).count();
      long jvmTasks = fleet.isFleet() ? count(tasksByJvm.get(jvm.index())) : count(tasks);
      b.append("<tr><td>").append(esc(jvm.name())).append("</td><td>").append(jvm.named() ? jvm.pid() : "")
          .append("</td><td>").append(jvm.startTime() == null ? "" : esc(jvm.startTime().toString()))
          .append("</td><td>").append(jvm.javaVersion() == null ? "" : esc(jvm.javaVersion()))
          .append("</td><td class=n>").append(jvmChunks).append("</td><td class=n>").append(jvmThreads)
          .append("</td><td class=n>").append(summary.events(jvm.index())).append("</td><td class=n>").append(jvmTasks)
          .append("</td></tr>");
    }
    b.append("</tbody></table>");

    if (!logs.isEmpty()) {
      b.append("<h2>Logs</h2><table><thead><tr><th>category</th><th class=n>count</th></tr></thead><tbody>");
      for (LogStats log : logs) {
        b.append("<tr><td>").append(esc(display(log.category()))).append("</td><td class=n>").append(log.count()).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    return layout("Overview", b.toString());
  }

  private static void fact(StringBuilder b, String name, String html) {
    b.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>");
  }

  private static long count(List<TypeStats> types) {
    return types.stream().mapToLong(TypeStats::count).sum();
  }

  // ---------------------------------------------------------------- types and histograms

  private String types(String title, String kind, List<TypeStats> types, boolean isTask) {
    StringBuilder b = new StringBuilder();
    if (types.isEmpty()) {
      b.append("<p>The trace has no ").append(kind).append("s.</p>");
      return layout(title, b.toString());
    }
    b.append("<table class=types><thead><tr><th>").append(kind).append(" type</th><th class=n>count</th>")
        .append(isTask ? "<th class=n>completed</th>" : "")
        .append("<th class=n>p50</th><th class=n>p90</th><th class=n>p99</th><th class=n>max</th></tr></thead><tbody>");
    int i = 0;
    for (TypeStats type : types) {
      b.append("<tr data-type=\"").append(esc(type.type())).append("\"><td><a href=\"#").append(kind).append('-').append(i++)
          .append("\">").append(esc(display(type.type()))).append("</a></td>");
      statCells(b, type, isTask);
      b.append("</tr>");
    }
    b.append("</tbody></table><p class=note>Percentiles are nearest-rank, within ").append(TraceSummary.RELATIVE_ERROR_PERCENT)
        .append("% of the exact values. Buckets are ").append(BUCKETS_PER_DECADE)
        .append(" per power of ten; a click on a bar lists its ").append(kind).append("s, slowest first.</p>");
    i = 0;
    for (TypeStats type : types) {
      histogram(b, kind, kind + "-" + i++, type, isTask);
    }
    return layout(title, b.toString());
  }

  private static void statCells(StringBuilder b, TypeStats type, boolean isTask) {
    boolean any = type.completed() > 0;
    b.append("<td class=\"n count\">").append(type.count()).append("</td>");
    if (isTask) {
      b.append("<td class=n>").append(type.completed()).append("</td>");
    }
    for (long v : new long[] {type.percentile(0.5), type.percentile(0.9), type.percentile(0.99), type.max()}) {
      b.append("<td class=n>").append(any ? esc(Durations.format(v)) : "-").append("</td>");
    }
  }

  /**
   * A type's section: per JVM figures when there are several, the chart's place, and the buckets
   * as a table (the chart's data and links, one column per JVM when there are several).
   */
  private void histogram(StringBuilder b, String kind, String id, TypeStats type, boolean isTask) {
    b.append("<section class=type id=\"").append(id).append("\" data-type=\"").append(esc(type.type())).append("\"><h2>")
        .append(esc(display(type.type()))).append("</h2>");
    List<TypeStats> perJvm = new ArrayList<>(); // by JVM index; null where the JVM has none
    if (isTask && fleet.isFleet()) {
      for (List<TypeStats> jvmTypes : tasksByJvm) {
        perJvm.add(jvmTypes.stream().filter(t -> t.type().equals(type.type())).findFirst().orElse(null));
      }
      b.append("<table class=by-jvm><thead><tr><th>JVM</th><th class=n>count</th><th class=n>completed</th>"
          + "<th class=n>p50</th><th class=n>p90</th><th class=n>p99</th><th class=n>max</th></tr></thead><tbody>");
      for (Fleet.Jvm jvm : fleet.jvms()) {
        TypeStats t = perJvm.get(jvm.index());
        if (t != null) {
          b.append("<tr><td>").append(esc(jvm.name())).append("</td>");
          statCells(b, t, true);
          b.append("</tr>");
        }
      }
      b.append("</tbody></table>");
    }
    List<TraceSummary.Bucket> buckets = type.buckets(BUCKETS_PER_DECADE);
    if (buckets.isEmpty()) {
      b.append("<p>None completed in the trace.</p></section>");
      return;
    }
    boolean linked = !type.type().equals(TraceSummary.OTHER_TYPES);
    if (linked && isTask) {
      b.append("<p>").append(FlamePage.links("type=" + url(type.type()))).append("</p>");
    }
    b.append("<div class=chart></div><details><summary>buckets</summary><table class=histogram><thead><tr><th>latency</th>")
        .append("<th class=n data-series>").append(perJvm.isEmpty() ? "count" : "all JVMs").append("</th>");
    List<Map<Long, Long>> jvmCounts = new ArrayList<>();
    for (int j = 0; j < perJvm.size(); j++) {
      b.append("<th class=n data-series>").append(esc(fleet.jvms().get(j).name())).append("</th>");
      Map<Long, Long> counts = new HashMap<>();
      if (perJvm.get(j) != null) {
        perJvm.get(j).buckets(BUCKETS_PER_DECADE).forEach(x -> counts.put(x.fromNanos(), x.count()));
      }
      jvmCounts.add(counts);
    }
    b.append("</tr></thead><tbody>");
    for (TraceSummary.Bucket bucket : buckets) {
      String label = "[" + Durations.format(bucket.fromNanos()) + ", " + Durations.format(bucket.toNanos()) + ")";
      String range = "type=" + url(type.type()) + "&min=" + bucket.fromNanos() + "ns&max=" + (bucket.toNanos() - 1) + "ns";
      b.append("<tr><th>").append(esc(label)).append("</th>");
      countCell(b, bucket.count(), linked ? "/" + kind + "s/list?" + range : null);
      for (int j = 0; j < jvmCounts.size(); j++) {
        countCell(b, jvmCounts.get(j).getOrDefault(bucket.fromNanos(), 0L), linked ? "/" + kind + "s/list?" + range + "&jvm=" + j : null);
      }
      b.append("</tr>");
    }
    b.append("</tbody></table></details>");
    if (linked) {
      b.append("<form action=\"/").append(kind).append("s/list\"><input type=hidden name=type value=\"").append(esc(type.type()))
          .append("\">").append(kind).append("s from <input name=min size=8 placeholder=\"10ms\"> to <input name=max size=8 placeholder=\"1s\">")
          .append(" <button>list</button></form>");
    }
    b.append("</section>");
  }

  private static void countCell(StringBuilder b, long count, String href) {
    b.append("<td class=n data-count=").append(count).append('>');
    if (count > 0 && href != null) {
      b.append("<a href=\"").append(esc(href)).append("\">").append(count).append("</a>");
    } else {
      b.append(count);
    }
    b.append("</td>");
  }

  // ---------------------------------------------------------------- instances in a range

  /** The range and JVM a list is asked for. */
  private record Range(String type, long minNanos, long maxNanos, int jvm, String described) {}

  private Range range(Map<String, String> query, List<TypeStats> types, String kind) throws Refused {
    String back = "/" + kind + "s";
    String type = query.get("type");
    if (type == null) {
      throw new Refused(400, "type is missing: name the " + kind + " type, as in /" + kind + "s/list?type=T&min=10ms&max=1s", back);
    }
    if (types.stream().noneMatch(t -> t.type().equals(type)) || type.equals(TraceSummary.OTHER_TYPES)) {
      throw new Refused(404, "the trace has no " + kind + " type '" + type + "'", back);
    }
    long min = duration(query, "min", 0, back);
    long max = duration(query, "max", Long.MAX_VALUE, back);
    if (min > max) {
      throw new Refused(400, "min (" + Durations.format(min) + ") is larger than max (" + Durations.format(max) + ")", back);
    }
    int jvm = -1;
    String j = query.get("jvm");
    if (j != null && !j.isEmpty()) {
      try {
        jvm = Integer.parseInt(j);
      } catch (NumberFormatException e) {
        jvm = -2;
      }
      if (jvm < 0 || jvm >= fleet.jvms().size()) {
        throw new Refused(400, "jvm '" + j + "' is not a JVM of the trace: want 0 to " + (fleet.jvms().size() - 1), back);
      }
    }
    String described = "'" + type + "' from " + Durations.format(min) + " to "
        + (max == Long.MAX_VALUE ? "any" : Durations.format(max)) + (jvm >= 0 ? " on " + fleet.jvms().get(jvm).name() : "");
    return new Range(type, min, max, jvm, described);
  }

  private static long duration(Map<String, String> query, String name, long absent, String back) throws Refused {
    String value = query.get(name);
    if (value == null || value.isBlank()) {
      return absent;
    }
    try {
      return Durations.parseNanos(value);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, name + ": " + e.getMessage(), back);
    }
  }

  private String taskList(Map<String, String> query) throws Refused, BadInputException, IOException {
    Range range = range(query, tasks, "task");
    InstanceLists kept = lists;
    InstanceLists.Answer<TaskSearch.Match> answer =
        kept == null ? null : kept.tasks(range.type(), range.jvm(), range.minNanos(), range.maxNanos());
    if (answer == null) {
      TaskSearch search = TaskSearch.of(fleet,
          new TaskSearch.Filter(range.type(), range.minNanos(), range.maxNanos(), null, LIST_LIMIT).withJvm(range.jvm()));
      answer = new InstanceLists.Answer<>(search.matches(), search.finish());
    }
    List<TaskSearch.Match> matches = answer.slowest();
    long count = answer.matches();
    StringBuilder b = new StringBuilder();
    b.append("<p id=summary>").append(count).append(" task").append(count == 1 ? "" : "s")
        .append(" of type ").append(esc(range.described())).append(count > matches.size()
            ? "; the " + matches.size() + " slowest:" : ", slowest first:").append("</p>");
    b.append("<table id=instances><thead><tr><th>task</th>").append(fleet.isFleet() ? "<th>JVM</th>" : "")
        .append("<th class=n>duration</th><th class=n>began</th><th></th></tr></thead><tbody>");
    for (TaskSearch.Match m : matches) {
      b.append("<tr><td>").append(taskLink(m.taskId(), String.valueOf(TaskKeys.id(m.taskId())))).append("</td>");
      if (fleet.isFleet()) {
        b.append("<td>").append(esc(jvmName(m.taskId()))).append("</td>");
      }
      b.append("<td class=n>").append(esc(Durations.format(m.durationNanos()))).append("</td><td class=n>")
          .append(esc(offset(m.beginNanos() - fleet.startNanos()))).append("</td><td>")
          .append(m.ended() ? "" : "unfinished").append("</td></tr>");
    }
    b.append("</tbody></table><p><a href=\"/tasks\">Task types</a></p>");
    return layout("Tasks " + range.described(), b.toString());
  }

  private String regionList(Map<String, String> query) throws Refused, BadInputException, IOException {
    Range range = range(query, regions, "region");
    InstanceLists kept = lists;
    InstanceLists.Answer<RegionSearch.Match> answer =
        kept == null ? null : kept.regions(range.type(), range.jvm(), range.minNanos(), range.maxNanos());
    if (answer == null) {
      RegionSearch search = RegionSearch.of(fleet, range.type(), range.minNanos(), range.maxNanos(), range.jvm(), LIST_LIMIT);
      answer = new InstanceLists.Answer<>(search.matches(), search.slowest());
    }
    List<RegionSearch.Match> matches = answer.slowest();
    long count = answer.matches();
    StringBuilder b = new StringBuilder();
    b.append("<p id=summary>").append(count).append(" region").append(count == 1 ? "" : "s")
        .append(" of type ").append(esc(range.described())).append(count > matches.size()
            ? "; the " + matches.size() + " slowest:" : ", slowest first:").append("</p>");
    b.append("<table id=instances><thead><tr><th class=n>duration</th><th class=n>began</th>")
        .append(fleet.isFleet() ? "<th>JVM</th>" : "").append("<th>thread</th><th>task</th><th></th></tr></thead><tbody>");
    for (RegionSearch.Match m : matches) {
      b.append("<tr><td class=n>").append(esc(Durations.format(m.durationNanos()))).append("</td><td class=n>")
          .append(esc(offset(m.beginNanos() - fleet.startNanos()))).append("</td>");
      if (fleet.isFleet()) {
        b.append("<td>").append(esc(jvmName(m.threadKey()))).append("</td>");
      }
      b.append("<td>").append(esc(m.thread())).append("</td><td>")
          .append(m.taskKey() == 0 ? "(none)" : taskLink(m.taskKey(), String.valueOf(TaskKeys.id(m.taskKey())))).append("</td><td>")
          .append(RegionPage.link(TaskKeys.jvm(m.threadKey()), TaskKeys.id(m.threadKey()), m.beginNanos(), "region")).append("</td></tr>");
    }
    b.append("</tbody></table><p><a href=\"/regions\">Region types</a></p>");
    return layout("Regions " + range.described(), b.toString());
  }

  // ---------------------------------------------------------------- a task

  private String task(String jvmAndId) throws Refused, BadInputException, IOException {
    String[] parts = jvmAndId.split("/", -1);
    long key = 0;
    if (parts.length == 2 && parts[0].matches("\\d{1,4}") && parts[1].matches("\\d{1,15}")) {
      int jvm = Integer.parseInt(parts[0]);
      long id = Long.parseLong(parts[1]);
      if (jvm < fleet.jvms().size() && id > 0) {
        key = TaskKeys.key(id, jvm);
      }
    }
    if (key == 0) {
      throw new Refused(404, "there is no task " + jvmAndId + ": a task's page is /task/JVM/ID, JVM 0 to "
          + (fleet.jvms().size() - 1) + ", ID the task's id", "/tasks");
    }
    TaskLookup lookup = new TaskLookup(fleet, summary.taskIndex()); // reads only the chunks that can hold it
    List<TaskSearch.Match> found = lookup.find(key);
    if (found.isEmpty()) {
      throw new Refused(404, "the trace has no task " + TaskKeys.id(key)
          + (fleet.isFleet() ? " of " + jvmName(key) : ""), "/tasks");
    }
    TaskDetails.Detail detail = lookup.details(found).details().get(0);
    TaskSearch.Match task = detail.match();
    StringBuilder b = new StringBuilder();
    b.append("<table class=facts>");
    fact(b, "type", "<a id=type href=\"/tasks/list?type=" + esc(url(task.type())) + "\">" + esc(display(task.type())) + "</a>");
    fact(b, "duration", "<span id=duration>" + esc(Durations.format(task.durationNanos())) + "</span>"
        + (task.ended() ? "" : " (unfinished: still open at the end of the trace)"));
    if (fleet.isFleet()) {
      fact(b, "jvm", esc(jvmName(key)));
    }
    long sinceStart = task.beginNanos() - fleet.startNanos();
    fact(b, "began", esc(sinceStart < 0 ? Durations.format(-sinceStart) + " before the trace started"
        : "+" + Durations.format(sinceStart) + " into the trace")
        + (task.begunInTrace() ? "" : " (its begin is not in the trace: end minus duration)"));
    if (task.parentId() != 0) {
      fact(b, "parent", "<span id=parent>" + taskLink(task.parentId(), TaskKeys.id(task.parentId()) + " "
          + (detail.parentType() == null ? "(not in the trace)" : display(detail.parentType()))) + "</span>");
    }
    List<TaskDetails.Child> children = detail.children();
    if (!children.isEmpty()) {
      StringBuilder c = new StringBuilder("<ul id=children>");
      for (TaskDetails.Child child : children) {
        c.append("<li>").append(taskLink(child.taskId(), TaskKeys.id(child.taskId()) + " " + display(child.type())))
            .append(' ').append(child.durationNanos() < 0 ? "(unfinished)" : esc(Durations.format(child.durationNanos()))).append("</li>");
      }
      if (detail.moreChildren() > 0) {
        c.append("<li>and ").append(detail.moreChildren()).append(" more</li>");
      }
      fact(b, "children", c.append("</ul>").toString());
    }
    fact(b, "profiles", FlamePage.links("task=" + TaskKeys.jvm(key) + "/" + TaskKeys.id(key)));
    b.append("</table>");

    List<TaskDetails.TaskThread> taskThreads = detail.threads();
    b.append("<h2>Threads</h2><table id=threads><thead><tr><th>thread</th><th class=n>regions</th></tr></thead><tbody>");
    for (TaskDetails.TaskThread thread : taskThreads) {
      List<String> earlier = thread.names().subList(0, thread.names().size() - 1);
      b.append("<tr><td class=thread>").append(esc(thread.name())).append("</td><td class=n>").append(thread.regions())
          .append("</td></tr>");
      if (!earlier.isEmpty()) {
        b.append("<tr><td colspan=2 class=note>formerly ").append(esc(String.join(", ", earlier))).append("</td></tr>");
      }
    }
    b.append("</tbody></table>");

    // One lane per thread, in the order of the table above; steps name their thread as it was then.
    Map<String, Integer> lanes = new LinkedHashMap<>();
    for (TaskDetails.TaskThread thread : taskThreads) {
      for (String name : thread.names()) {
        lanes.putIfAbsent(name, lanes.size());
      }
    }
    b.append("<h2>Regions and logs</h2><div class=timeline></div><table id=steps class=steps><thead><tr><th class=n>when</th>"
        + "<th class=n>duration</th><th>thread</th><th>event</th></tr></thead><tbody>");
    for (TaskDetails.Step step : detail.steps()) {
      long at = step.atNanos() - task.beginNanos();
      String kind = step.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      b.append("<tr class=\"").append(step.kind().name().toLowerCase(Locale.ROOT)).append("\" data-lane=")
          .append(lanes.getOrDefault(step.thread(), 0)).append(" data-at=").append(at).append(" data-duration=")
          .append(step.durationNanos()).append("><td class=n>").append(esc(offset(at))).append("</td><td class=n>")
          .append(step.kind() == TaskDetails.Kind.REGION ? esc(Durations.format(step.durationNanos())) : "")
          .append("</td><td class=thread>").append(esc(step.thread())).append("</td><td>").append(esc(kind));
      if (step.kind() == TaskDetails.Kind.REGION) {
        b.append(' ').append(RegionPage.link(TaskKeys.jvm(key), step.threadId(), step.atNanos(), "<span class=text>" + esc(step.text()) + "</span>"));
      } else if (step.kind() == TaskDetails.Kind.LOG) {
        b.append(' ').append("<span class=text>").append(esc(step.text())).append("</span>");
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (detail.droppedSteps() > 0) {
      b.append("<p class=note>and ").append(detail.droppedSteps()).append(" later events not shown</p>");
    }
    b.append("<script type=application/json id=lanes>").append(jsonArray(lanes.keySet())).append("</script>");
    ActivitySection.appendForTask(b, fleet, key, detail);
    return layout("Task " + TaskKeys.id(key) + " " + display(task.type()), b.toString());
  }

  // ---------------------------------------------------------------- helpers

  static String taskLink(long key, String text) {
    return "<a href=\"/task/" + TaskKeys.jvm(key) + "/" + TaskKeys.id(key) + "\">" + esc(text) + "</a>";
  }

  private String jvmName(long key) {
    return fleet.jvms().get(TaskKeys.jvm(key)).name();
  }

  private String source() {
    return fleet.parts().size() == 1 ? fleet.parts().get(0).file().path().toString() : fleet.parts().size() + " files";
  }

  static String offset(long nanos) {
    return (nanos < 0 ? "" : "+") + Durations.format(nanos);
  }

  private static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    return n < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KB", n / 1024.0) : String.format(Locale.ROOT, "%.1f MB", n / 1048576.0);
  }

  static String display(String type) {
    return type == null || type.isEmpty() ? "(no type)" : type;
  }

  static String layout(String title, String body) {
    return "<!doctype html><html lang=en><head><meta charset=utf-8><title>" + esc(title) + " · livetrace view</title>"
        + "<style>" + STYLE + "</style></head><body><nav><a href=\"/\">Overview</a> <a href=\"/tasks\">Task types</a>"
        + " <a href=\"/regions\">Region types</a> <a href=\"/timeline\">Timeline</a> <a href=\"/findings\">Findings</a></nav><h1>" + esc(title) + "</h1>" + body
        + "<script src=\"/static/echarts.min.js\"></script><script src=\"/static/view.js\"></script></body></html>";
  }

  private static final String STYLE = "body{font:14px system-ui,sans-serif;margin:1em 2em;color:#222}"
      + "nav a{margin-right:1.5em}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}"
      + "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;text-align:left;vertical-align:top}"
      + "thead th{border-bottom:1px solid #999}.n{text-align:right;font-variant-numeric:tabular-nums}"
      + ".facts th{color:#555;font-weight:normal}.note{color:#666;font-size:.9em}.error{color:#a00}.legend{font-size:.9em;color:#444}.swatch{display:inline-block;width:.9em;height:.9em;margin:0 .2em 0 .8em;vertical-align:-1px}"
      + ".chart{width:100%;max-width:900px;height:260px}.timeline,.activity{width:100%;max-width:1100px}.trace-timeline{width:100%}"
      + ".findings td:last-child{white-space:nowrap}tr.region .text{font-weight:600}section.type{border-top:1px solid #ddd;margin-top:1em}";

  /** Escapes text for HTML content and quoted attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A JSON array of strings, safe inside a script element (no {@code </script>}). */
  static String jsonArray(Iterable<String> strings) {
    StringBuilder b = new StringBuilder("[");
    for (String s : strings) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          b.append('\\').append(c);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
          b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      b.append('"');
    }
    return b.append(']').toString();
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(String raw) throws Refused {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        query.putIfAbsent(name, value);
      } catch (IllegalArgumentException e) {
        throw new Refused(400, "the query is not URL-encoded: " + raw, "/");
      }
    }
    return query;
  }
}
