package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.TraceSummary.LogStats;
import io.github.livetrace.cli.internal.TraceSummary.ThreadStats;
import io.github.livetrace.cli.internal.TraceSummary.TypeStats;
import io.github.livetrace.internal.Durations;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JsonGenerator;

/** Renders a {@link TraceSummary} as text for people or as JSON for scripts. */
final class SummaryReport {
  /** The histogram column of the text table: one character per decade, from <1us to >=100s. */
  private static final String[] DECADE_LABELS = {
    "<1us", "1us", "10us", "100us", "1ms", "10ms", "100ms", "1s", "10s", ">=100s"
  };

  /** Density of a histogram cell, from a few values to the most populated decade. */
  private static final String LEVELS = ".:-=+*#%@";

  /** The percentiles both outputs show, and their JSON names. */
  private static final double[] PERCENTILES = {0.5, 0.9, 0.99};
  private static final String[] PERCENTILE_FIELDS = {"p50Nanos", "p90Nanos", "p99Nanos"};

  /**
   * A JVM's latency of a task type stands out when its p50 or its p99 is at least this many times
   * the median of the JVMs' p50s or p99s of that type, and at least {@link #STANDS_OUT_NANOS}
   * above it: the p50 finds a JVM that is slow all the time, the p99 one whose tail is.
   */
  static final double STANDS_OUT_FACTOR = 2;

  static final long STANDS_OUT_NANOS = 1_000_000;

  /** A JVM's p99 counts for the comparison with at least this many completed tasks of the type. */
  static final long STANDS_OUT_MIN_TASKS = 5;

  private final Fleet fleet;
  private final TraceSummary summary;

  SummaryReport(Fleet fleet, TraceSummary summary) {
    this.fleet = fleet;
    this.summary = summary;
  }

  private long size() {
    return fleet.parts().stream().mapToLong(p -> p.file().size()).sum();
  }

  private int chunks() {
    return fleet.parts().stream().mapToInt(p -> p.file().chunks().size()).sum();
  }

  private String source() {
    List<Fleet.Part> parts = fleet.parts();
    return parts.size() == 1 ? parts.get(0).file().path().toString() : parts.size() + " files";
  }

  void text(PrintWriter out, boolean histograms) {
    List<ThreadStats> threads = summary.threads();
    long annotatedThreads = threads.stream().filter(t -> t.annotations() > 0).count();
    out.printf(Locale.ROOT, "trace    %s (%s, %d chunk%s)%n", source(), bytes(size()),
        chunks(), chunks() == 1 ? "" : "s");
    out.printf(Locale.ROOT, "time     %s to %s (%s)%n", Timestamps.instant(fleet.startNanos()),
        Timestamps.instant(fleet.endNanos()), Durations.format(fleet.endNanos() - fleet.startNanos()));
    if (fleet.isFleet()) {
      out.printf(Locale.ROOT, "jvms     %d: %s%n", fleet.jvms().size(),
          String.join(", ", fleet.jvms().stream().map(SummaryReport::jvmLine).toList()));
    }
    out.printf(Locale.ROOT, "events   %,d (%,d livetrace)%n", summary.events(), summary.annotationEvents());
    out.printf(Locale.ROOT, "threads  %d (%d with tasks, regions or logs)%s%n", threads.size(),
        annotatedThreads, threadList(threads, annotatedThreads));
    if (summary.misuse() > 0) {
      out.printf(Locale.ROOT, "misuse   %,d livetrace.Misuse events: the annotation API was used wrongly%n",
          summary.misuse());
    }
    out.println();
    table(out, "TASK TYPE", summary.tasks(), true);
    if (fleet.isFleet()) {
      out.println();
      byJvm(out);
    }
    out.println();
    table(out, "REGION TYPE", summary.regions(), false);
    out.println();
    List<LogStats> logs = summary.logs();
    if (logs.isEmpty()) {
      out.println("LOG CATEGORY: none");
    } else {
      int width = Math.max("LOG CATEGORY".length(), logs.stream().mapToInt(l -> l.category().length()).max().orElse(0));
      out.printf(Locale.ROOT, "%-" + width + "s  %10s%n", "LOG CATEGORY", "COUNT");
      for (LogStats log : logs) {
        out.printf(Locale.ROOT, "%-" + width + "s  %,10d%n", log.category(), log.count());
      }
    }
    out.println();
    out.println("Latency columns: nearest-rank percentiles within "
        + TraceSummary.RELATIVE_ERROR_PERCENT + "%; HISTOGRAM has one cell per decade,");
    out.println("  " + String.join(" ", DECADE_LABELS) + "; a cell's share of the fullest decade, in ninths:");
    out.println("  " + String.join(" ", LEVELS.split("")) + " (few to most; blank: none).");
    if (histograms) {
      for (TypeStats task : summary.tasks()) {
        bars(out, "task " + task.type(), task);
      }
      for (TypeStats region : summary.regions()) {
        bars(out, "region " + region.type(), region);
      }
    }
  }

  private static String jvmLine(Fleet.Jvm jvm) {
    return jvm.name() + (jvm.named() ? " (pid " + jvm.pid() + ", started " + jvm.startTime() + ")" : " (no livetrace.JVM event)");
  }

  /** Each task type's latency on each JVM, the JVMs that stand out marked. */
  private void byJvm(PrintWriter out) {
    List<List<TypeStats>> perJvm = summary.tasksByJvm();
    int width = "TASK TYPE BY JVM".length();
    for (Fleet.Jvm jvm : fleet.jvms()) {
      width = Math.max(width, jvm.name().length() + 2);
    }
    for (TypeStats task : summary.tasks()) {
      width = Math.max(width, display(task.type()).length());
    }
    String row = "%-" + width + "s  %10s  %9s  %9s  %9s  %s%n";
    out.printf(Locale.ROOT, row, "TASK TYPE BY JVM", "COUNT", "P50", "P99", "MAX", "");
    for (TypeStats task : summary.tasks()) {
      out.printf(Locale.ROOT, "%s%n", display(task.type()));
      List<TypeStats> rows = new ArrayList<>();
      for (List<TypeStats> jvmTasks : perJvm) {
        rows.add(jvmTasks.stream().filter(t -> t.type().equals(task.type())).findFirst().orElse(null));
      }
      long medianP50 = median(rows, 0.5);
      long medianP99 = median(rows, 0.99);
      for (Fleet.Jvm jvm : fleet.jvms()) {
        TypeStats t = rows.get(jvm.index());
        if (t == null) {
          continue;
        }
        boolean any = t.completed() > 0;
        out.printf(Locale.ROOT, row, "  " + jvm.name(), String.format(Locale.ROOT, "%,d", t.count()),
            any ? Durations.format(t.percentile(0.5)) : "-",
            any ? Durations.format(t.percentile(0.99)) : "-",
            any ? Durations.format(t.max()) : "-",
            standsOut(t, medianP50, medianP99));
      }
    }
    out.println("A JVM stands out when its p50 or p99 is at least " + (int) STANDS_OUT_FACTOR + "x the median of the JVMs' p50s or p99s and "
        + Durations.format(STANDS_OUT_NANOS) + " above it (JVMs with at least " + STANDS_OUT_MIN_TASKS + " tasks of the type).");
  }

  /** The median of a percentile over the JVMs with enough tasks of a type, or 0 with fewer than two. */
  static long median(List<TypeStats> rows, double percentile) {
    List<Long> values = rows.stream().filter(t -> t != null && t.completed() >= STANDS_OUT_MIN_TASKS)
        .map(t -> t.percentile(percentile)).sorted().toList();
    if (values.size() < 2) {
      return 0;
    }
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }

  /** Why a JVM's latency stands out, or "" when it does not. */
  static String standsOut(TypeStats t, long medianP50, long medianP99) {
    if (t.completed() < STANDS_OUT_MIN_TASKS) {
      return "";
    }
    String p50 = above(t.percentile(0.5), medianP50, "p50");
    String p99 = above(t.percentile(0.99), medianP99, "p99");
    return !p50.isEmpty() ? p50 : p99;
  }

  private static String above(long value, long median, String name) {
    if (median <= 0 || value < STANDS_OUT_FACTOR * median || value - median < STANDS_OUT_NANOS) {
      return "";
    }
    return String.format(Locale.ROOT, "stands out: %s %.1fx the JVMs' median %s (%s)", name, (double) value / median, name,
        Durations.format(median));
  }

  private static String threadList(List<ThreadStats> threads, long annotatedThreads) {
    List<String> names = new ArrayList<>();
    for (ThreadStats thread : threads) {
      if (thread.annotations() > 0 && names.size() < 8) {
        names.add(thread.name() + (thread.earlierNames().isEmpty() ? ""
            : " (formerly " + String.join(", ", thread.earlierNames()) + ")"));
      }
    }
    long more = annotatedThreads - names.size();
    return names.isEmpty() ? "" : ": " + String.join(", ", names) + (more > 0 ? ", ..." : "");
  }

  private static void table(PrintWriter out, String title, List<TypeStats> types, boolean tasks) {
    if (types.isEmpty()) {
      out.println(title + ": none");
      return;
    }
    int width = title.length();
    for (TypeStats type : types) {
      width = Math.max(width, display(type.type()).length());
    }
    String row = "%-" + width + "s  %10s  %10s  %9s  %9s  %9s  %9s  %s%n";
    out.printf(Locale.ROOT, row, title, "COUNT", tasks ? "COMPLETED" : "", "P50", "P90", "P99", "MAX",
        "HISTOGRAM");
    for (TypeStats type : types) {
      boolean any = type.completed() > 0;
      out.printf(Locale.ROOT, row,
          display(type.type()),
          String.format(Locale.ROOT, "%,d", type.count()),
          tasks ? String.format(Locale.ROOT, "%,d", type.completed()) : "",
          any ? Durations.format(type.percentile(PERCENTILES[0])) : "-",
          any ? Durations.format(type.percentile(PERCENTILES[1])) : "-",
          any ? Durations.format(type.percentile(PERCENTILES[2])) : "-",
          any ? Durations.format(type.max()) : "-",
          "|" + sparkline(type) + "|");
    }
  }

  /** One character per decade column; blank where no value fell. */
  static String sparkline(TypeStats type) {
    long[] columns = new long[DECADE_LABELS.length];
    for (TraceSummary.Bucket bucket : type.decades()) {
      columns[column(bucket.fromNanos())] += bucket.count();
    }
    long most = 0;
    for (long c : columns) {
      most = Math.max(most, c);
    }
    StringBuilder line = new StringBuilder();
    for (long c : columns) {
      if (c == 0) {
        line.append(' ');
      } else {
        int level = (int) Math.ceil((double) c / most * LEVELS.length());
        line.append(LEVELS.charAt(Math.max(1, level) - 1));
      }
    }
    return line.toString();
  }

  private static int column(long decadeStartNanos) {
    int decade = 0;
    for (long v = decadeStartNanos; v >= 10; v /= 10) {
      decade++;
    }
    return Math.max(0, Math.min(DECADE_LABELS.length - 1, decade - 2));
  }

  private static void bars(PrintWriter out, String title, TypeStats type) {
    out.println();
    out.printf(Locale.ROOT, "%s (%,d)%n", title, type.completed());
    List<TraceSummary.Bucket> decades = type.decades();
    long most = decades.stream().mapToLong(TraceSummary.Bucket::count).max().orElse(0);
    for (TraceSummary.Bucket bucket : decades) {
      int length = most == 0 ? 0 : (int) Math.round(40.0 * bucket.count() / most);
      out.printf(Locale.ROOT, "  [%7s, %7s)  %-40s %,d%n", Durations.format(bucket.fromNanos()),
          Durations.format(bucket.toNanos()), "#".repeat(Math.max(length, bucket.count() > 0 ? 1 : 0)),
          bucket.count());
    }
  }

  void json(JsonGenerator json) {
    json.writeStartObject();
    if (fleet.parts().size() == 1) {
      json.writeStringProperty("file", fleet.parts().get(0).file().path().toString());
    } else {
      json.writeArrayPropertyStart("files");
      for (Fleet.Part part : fleet.parts()) {
        json.writeString(part.file().path().toString());
      }
      json.writeEndArray();
    }
    json.writeNumberProperty("bytes", size());
    json.writeNumberProperty("chunks", chunks());
    json.writeStringProperty("start", Timestamps.instant(fleet.startNanos()).toString());
    json.writeStringProperty("end", Timestamps.instant(fleet.endNanos()).toString());
    json.writeNumberProperty("durationNanos", fleet.endNanos() - fleet.startNanos());
    json.writeArrayPropertyStart("jvms");
    for (Fleet.Jvm jvm : fleet.jvms()) {
      json.writeStartObject();
      json.writeStringProperty("name", jvm.name());
      if (jvm.named()) {
        json.writeNumberProperty("pid", jvm.pid());
        json.writeStringProperty("startTime", jvm.startTime().toString());
        json.writeStringProperty("javaVersion", jvm.javaVersion());
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeNumberProperty("events", summary.events());
    json.writeNumberProperty("livetraceEvents", summary.annotationEvents());
    json.writeNumberProperty("misuse", summary.misuse());
    json.writeNumberProperty("percentileRelativeErrorPercent", TraceSummary.RELATIVE_ERROR_PERCENT);
    json.writeName("tasks");
    json.writeStartArray();
    for (TypeStats task : summary.tasks()) {
      typeJson(json, task, true);
    }
    json.writeEndArray();
    if (fleet.isFleet()) {
      List<List<TypeStats>> perJvm = summary.tasksByJvm();
      json.writeArrayPropertyStart("tasksByJvm");
      for (TypeStats task : summary.tasks()) {
        List<TypeStats> rows = new ArrayList<>();
        for (List<TypeStats> jvmTasks : perJvm) {
          rows.add(jvmTasks.stream().filter(t -> t.type().equals(task.type())).findFirst().orElse(null));
        }
        long medianP50 = median(rows, 0.5);
        long medianP99 = median(rows, 0.99);
        json.writeStartObject();
        json.writeStringProperty("type", task.type());
        json.writeNumberProperty("medianP50Nanos", medianP50);
        json.writeNumberProperty("medianP99Nanos", medianP99);
        json.writeArrayPropertyStart("jvms");
        for (Fleet.Jvm jvm : fleet.jvms()) {
          TypeStats t = rows.get(jvm.index());
          if (t == null) {
            continue;
          }
          json.writeStartObject();
          json.writeStringProperty("jvm", jvm.name());
          json.writeNumberProperty("count", t.count());
          json.writeNumberProperty("completed", t.completed());
          json.writeNumberProperty("p50Nanos", t.percentile(0.5));
          json.writeNumberProperty("p99Nanos", t.percentile(0.99));
          json.writeNumberProperty("maxNanos", t.max());
          String why = standsOut(t, medianP50, medianP99);
          json.writeBooleanProperty("standsOut", !why.isEmpty());
          if (!why.isEmpty()) {
            json.writeStringProperty("why", why);
          }
          json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
    }
    json.writeName("regions");
    json.writeStartArray();
    for (TypeStats region : summary.regions()) {
      typeJson(json, region, false);
    }
    json.writeEndArray();
    json.writeName("logs");
    json.writeStartArray();
    for (LogStats log : summary.logs()) {
      json.writeStartObject();
      json.writeStringProperty("category", log.category());
      json.writeNumberProperty("count", log.count());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeName("threads");
    json.writeStartArray();
    for (ThreadStats thread : summary.threads()) {
      json.writeStartObject();
      if (fleet.isFleet()) {
        json.writeStringProperty("jvm", fleet.jvms().get(thread.jvm()).name());
      }
      json.writeNumberProperty("id", thread.id());
      json.writeStringProperty("name", thread.name());
      if (!thread.earlierNames().isEmpty()) {
        json.writeName("earlierNames");
        json.writeStartArray();
        for (String name : thread.earlierNames()) {
          json.writeString(name);
        }
        json.writeEndArray();
      }
      json.writeNumberProperty("events", thread.events());
      json.writeNumberProperty("livetraceEvents", thread.annotations());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
    json.writeRaw('\n');
    json.flush();
  }

  private static void typeJson(JsonGenerator json, TypeStats type, boolean task) {
    json.writeStartObject();
    json.writeStringProperty("type", type.type());
    json.writeNumberProperty("count", type.count());
    if (task) {
      json.writeNumberProperty("completed", type.completed());
    }
    json.writeNumberProperty("minNanos", type.min());
    for (int i = 0; i < PERCENTILES.length; i++) {
      json.writeNumberProperty(PERCENTILE_FIELDS[i], type.percentile(PERCENTILES[i]));
    }
    json.writeNumberProperty("maxNanos", type.max());
    json.writeNumberProperty("meanNanos", type.mean());
    json.writeName("histogram");
    json.writeStartArray();
    for (TraceSummary.Bucket bucket : type.decades()) {
      json.writeStartObject();
      json.writeNumberProperty("fromNanos", bucket.fromNanos());
      json.writeNumberProperty("toNanos", bucket.toNanos());
      json.writeNumberProperty("count", bucket.count());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static String display(String type) {
    return type.isEmpty() ? "(empty)" : type;
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
    if (n < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GB", n / (1024.0 * 1024 * 1024));
  }
}
