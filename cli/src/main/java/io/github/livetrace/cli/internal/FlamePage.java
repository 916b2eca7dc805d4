package io.github.livetrace.cli.internal;

import static io.github.livetrace.cli.internal.ViewPages.esc;

import io.github.livetrace.cli.internal.TraceSummary.TypeStats;
import io.github.livetrace.cli.internal.ViewPages.Refused;
import io.github.livetrace.cli.internal.ViewPages.Response;
import io.github.livetrace.cli.internal.jfr.LongMap;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.pprof.FlameGraphs;
import io.github.livetrace.internal.pprof.StackProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code /flame?kind=K[&task=JVM/ID | &type=T | &from=D&to=D]}: a flame graph of the trace's CPU
 * samples, allocation samples, lock contention or blocking ({@link ProfileSamples.Kind}), of the
 * whole trace, of one task (on every thread it ran on, while it was current there: {@link
 * TaskSpans}), of the tasks of a type, or of a span of time (offsets from the trace's start). A
 * task's and a span's read the chunks around them; the whole trace's and a type's come from
 * {@link TraceProfiles}, made once for all, and the page says how far that is until it is done.
 * Drawn by async-profiler's converter, as {@code pprof} draws them ({@link FlameGraphs}): its page
 * holds one inline script, which the page's Content-Security-Policy allows by its hash, and a bar
 * of links back to the viewer.
 */
final class FlamePage {
  private static final String ACCEPTED = "accepted: kind=cpu, alloc, mutex or block; and at most one of task=JVM/ID,"
      + " type=TASK_TYPE, or from=DURATION&to=DURATION since the start of the trace";

  private FlamePage() {}

  /** Links to the flame graphs of each kind of a restriction ({@code "task=0/12"}, {@code "type=order"}, or empty). */
  static String links(String restriction) {
    StringBuilder b = new StringBuilder("<span class=flame-links>flame graphs: ");
    for (ProfileSamples.Kind kind : ProfileSamples.Kind.values()) {
      b.append(kind.ordinal() == 0 ? "" : " · ").append("<a href=\"/flame?kind=").append(kind.param)
          .append(restriction.isEmpty() ? "" : "&amp;" + esc(restriction)).append("\">").append(kind.param).append("</a>");
    }
    return b.append("</span>").toString();
  }

  /** A form that asks for a flame graph of a span of time, offsets from the start of the trace. */
  static String rangeForm() {
    StringBuilder b = new StringBuilder("<form id=flame-range action=\"/flame\"><select name=kind>");
    for (ProfileSamples.Kind kind : ProfileSamples.Kind.values()) {
      b.append("<option>").append(kind.param).append("</option>");
    }
    return b.append("</select> from <input name=from size=8 placeholder=\"1s\"> to <input name=to size=8 placeholder=\"2s\">")
        .append(" <button>flame graph</button></form>").toString();
  }

  /** The flame graph the query asks for. */
  static Response response(Fleet fleet, List<TypeStats> taskTypes, TaskIndex index, TraceProfiles profiles,
      Map<String, String> query) throws Refused, BadInputException, IOException {
    String k = query.getOrDefault("kind", "cpu");
    ProfileSamples.Kind kind = ProfileSamples.Kind.of(k);
    if (kind == null) {
      throw new Refused(400, "kind '" + k + "' is not a profile of the trace; " + ACCEPTED, "/");
    }
    String task = query.get("task");
    String type = query.get("type");
    boolean window = query.containsKey("from") || query.containsKey("to");
    if ((task != null ? 1 : 0) + (type != null ? 1 : 0) + (window ? 1 : 0) > 1) {
      throw new Refused(400, "more than one restriction; " + ACCEPTED, "/");
    }
    long from = fleet.startNanos();
    long to = fleet.endNanos();
    ProfileSamples samples;
    String of;
    String restriction;
    if (task != null) {
      long key = taskKey(fleet, task);
      List<TaskSearch.Match> found = new TaskLookup(fleet, index).find(key); // only the chunks that can hold it
      if (found.isEmpty()) {
        throw new Refused(404, "the trace has no task " + task, "/tasks");
      }
      TaskSearch.Match match = found.get(0);
      from = match.beginNanos();
      to = match.beginNanos() + match.durationNanos();
      TaskSpans spans = TaskSpans.ofTask(fleet, key, from, to);
      long[] bounds = spans.bounds();
      from = Math.min(from, bounds[0]);
      to = Math.max(to, bounds[1]);
      String title = kind.title + " of task " + TaskKeys.id(key) + " (" + ViewPages.display(match.type()) + ")";
      of = "task " + TaskKeys.id(key) + " (" + ViewPages.display(match.type()) + "), on its threads while it was current there"
          + " (from its first event to its last on each)";
      samples = around(fleet, kind, title, TaskKeys.jvm(key), from, to, spans.byThread());
      restriction = "task=" + task;
    } else if (type != null) {
      if (taskTypes.stream().noneMatch(t -> t.type().equals(type)) || type.equals(TraceSummary.OTHER_TYPES)) {
        throw new Refused(404, "the trace has no task type '" + type + "'", "/tasks");
      }
      of = "the tasks of type '" + type + "', on their threads while they were current there";
      restriction = "type=" + ViewPages.url(type);
      TraceProfiles.State state = profiles.state();
      if (!state.done() && state.failure() == null) {
        return computing(kind, of, restriction, state);
      }
      StackProfile kept = profiles.ofType(type, kind);
      if (kept != null) {
        return page(kept, kind, of, restriction);
      }
      // Too many tasks or stacks to keep the types' profiles: this one alone, read again.
      TaskSpans spans = TaskSpans.ofType(fleet, type);
      of += (spans.dropped() > 0 ? " (the first " + TaskSpans.MAX_SPANS + " tasks and threads)" : "")
          + " (read again: " + profiles.typesLeftOut() + ")";
      samples = everywhere(fleet, kind, kind.title + " of the tasks of type '" + type + "'", from, to, spans);
    } else if (window) {
      from = fleet.startNanos() + offset(query, "from", 0);
      to = fleet.startNanos() + offset(query, "to", fleet.endNanos() - fleet.startNanos());
      if (from > to) {
        throw new Refused(400, "from is after to; " + ACCEPTED, "/");
      }
      if (from > fleet.endNanos()) { // as the timeline answers: an empty graph would look like an idle span
        throw new Refused(400, "from (+" + Durations.format(from - fleet.startNanos()) + ") is outside the trace, which lasts "
            + Durations.format(fleet.endNanos() - fleet.startNanos()) + "; " + ACCEPTED, "/");
      }
      of = "+" + Durations.format(from - fleet.startNanos()) + " to +" + Durations.format(to - fleet.startNanos());
      samples = around(fleet, kind, kind.title + ", " + of, -1, from, to, null);
      restriction = "from=" + ViewPages.url(Durations.format(from - fleet.startNanos())) + "&to="
          + ViewPages.url(Durations.format(to - fleet.startNanos()));
    } else {
      of = "the whole trace";
      restriction = "";
      TraceProfiles.State state = profiles.state();
      if (state.failure() != null) {
        samples = everywhere(fleet, kind, kind.title + ", " + of, from, to, null);
      } else if (!state.done()) {
        return computing(kind, of, restriction, state);
      } else {
        return page(profiles.whole(kind), kind, of, restriction);
      }
    }
    return page(samples.profile(), kind, of, restriction);
  }

  /** Reads the chunks of {@code jvm} (-1: any) around {@code [from, to]}, on several threads. */
  private static ProfileSamples around(Fleet fleet, ProfileSamples.Kind kind, String title, int jvm, long from, long to,
      LongMap<long[]> byThread) throws BadInputException, IOException {
    ProfileSamples all = new ProfileSamples(kind, title, from, to, byThread, new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), part.jvmOfChunk(), jvm, from, to,
          () -> new ProfileSamples(kind, "", from, to, byThread, part.jvmOfChunk()), all::merge);
    }
    return all;
  }

  /** The flame graphs that need every chunk are being made: how far, and a reload. */
  private static Response computing(ProfileSamples.Kind kind, String of, String restriction, TraceProfiles.State state) {
    String body = "<meta http-equiv=refresh content=1><p class=note>" + links(restriction) + "</p><p id=progress>"
        + "Reading the trace for the flame graphs of the whole trace and of every task type, once for all: "
        + state.chunksRead() + " of " + state.chunks() + " chunks (each is read twice: the tasks, then the samples).</p>"
        + "<p class=note>This page reloads itself until they are done.</p>";
    return ViewPages.Response.html(200, ViewPages.layout("Flame graph: " + kind.param + " of " + of, body));
  }

  /** Reads every chunk, on several threads: a type's, when {@link TraceProfiles} could not keep it. */
  static ProfileSamples everywhere(Fleet fleet, ProfileSamples.Kind kind, String title, long from, long to, TaskSpans spans)
      throws BadInputException, IOException {
    var byThread = spans == null ? null : spans.byThread();
    ProfileSamples all = new ProfileSamples(kind, title, from, to, byThread, new int[0]);
    for (Fleet.Part part : fleet.parts()) {
      TraceReader.decode(part.file(), () -> new ProfileSamples(kind, "", Long.MIN_VALUE, Long.MAX_VALUE, byThread, part.jvmOfChunk()),
          all::merge);
    }
    return all;
  }

  private static long taskKey(Fleet fleet, String task) throws Refused {
    String[] parts = task.split("/", -1);
    if (parts.length == 2 && parts[0].matches("\\d{1,4}") && parts[1].matches("\\d{1,15}")) {
      int jvm = Integer.parseInt(parts[0]);
      long id = Long.parseLong(parts[1]);
      if (jvm < fleet.jvms().size() && id > 0) {
        return TaskKeys.key(id, jvm);
      }
    }
    throw new Refused(404, "there is no task " + task + ": task=JVM/ID, JVM 0 to " + (fleet.jvms().size() - 1), "/tasks");
  }

  private static long offset(Map<String, String> query, String name, long absent) throws Refused {
    String value = query.get(name);
    if (value == null || value.isBlank()) {
      return absent;
    }
    try {
      return Durations.parseNanos(value);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, name + ": " + e.getMessage() + "; " + ACCEPTED, "/");
    }
  }

  /** The converter's page, with a bar of links before its title, served with its script's hash. */
  private static Response page(StackProfile profile, ProfileSamples.Kind kind, String of, String restriction) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FlameGraphs.write(profile, false, out);
    // The converter credits itself with a link to GitHub: its name stays, the page links nowhere but here.
    String html = out.toString(StandardCharsets.UTF_8)
        .replace("<a href='https://github.com/async-profiler/async-profiler'>async-profiler</a>", "async-profiler");
    long total = profile.total(0);
    String bar = "<nav id=flame-nav style='margin-bottom:28px'><a href=\"/\">Overview</a> · <a href=\"/tasks\">Task types</a> · "
        + links(restriction) + " · <span id=flame-of>" + esc(kind.param + " of " + of) + "</span>: <span id=flame-total>"
        + total + "</span> " + (kind.blocking() ? "blocking events" : "samples") + "</nav>";
    int body = html.indexOf('>', html.indexOf("<body")) + 1;
    html = html.substring(0, body) + bar + html.substring(body);
    int start = html.indexOf("<script>") + "<script>".length();
    int end = html.indexOf("</script>", start);
    if (start < "<script>".length() || end < 0 || html.indexOf("<script", end) >= 0) {
      throw new IOException("the flame graph converter wrote a page of another shape than the one script it writes");
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(html.substring(start, end).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    return new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), false,
        "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'");
  }
}
