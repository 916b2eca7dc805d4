package io.github.livetrace.cli.internal;

import static io.github.livetrace.cli.internal.ViewPages.esc;

import io.github.livetrace.internal.Durations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code view}'s {@code /findings}: what JDK Mission Control's automated analysis rules ({@link
 * JmcFindings}) say of the trace, each result with its severity, score, summary, explanation and
 * solution, and a link to the timeline window of the time it points at, when it points at one.
 * The rules take seconds per part of the trace, so they run on a thread of their own from the
 * first visit on, one part after the other; the page shows the parts done and reloads itself
 * until all are.
 */
final class FindingsPage {
  private final List<JmcFindings.Span> spans;
  private final TimelinePage timeline;
  private volatile TimelineWindows windows; // the timeline's, taken by each visit
  private final List<JmcFindings.Part> done = new ArrayList<>(); // guarded by this
  private String failure; // guarded by this: why the rules stopped, or null
  private ExecutorService worker; // guarded by this: started by the first visit

  FindingsPage(Fleet fleet, TimelinePage timeline) {
    this.spans = JmcFindings.spans(fleet, JmcFindings.BYTES_PER_PART);
    this.timeline = timeline;
  }

  ViewPages.Response page() throws BadInputException, IOException {
    windows = timeline.windows(); // for the links into the timeline
    List<JmcFindings.Part> parts;
    String failed;
    synchronized (this) {
      if (worker == null) {
        start();
      }
      parts = List.copyOf(done);
      failed = failure;
    }
    boolean finished = parts.size() == spans.size() || failed != null;
    StringBuilder b = new StringBuilder();
    b.append("<p class=note>The results of JDK Mission Control's automated analysis rules (")
        .append("<code>org.openjdk.jmc:flightrecorder.rules.jdk</code>), highest score first; a result that points at a time")
        .append(" links to the timeline there. JMC reads a recording whole, so the rules run on parts of at most ")
        .append(JmcFindings.BYTES_PER_PART >> 20).append(" MB of the trace file, each on its own.</p>");
    if (!finished) {
      b.append("<meta http-equiv=refresh content=2><p id=progress>Running the rules on part ").append(parts.size() + 1)
          .append(" of ").append(spans.size()).append(" …</p>");
    }
    if (failed != null) {
      b.append("<p class=error id=failure>").append(esc(failed)).append("</p>");
    }
    for (JmcFindings.Part part : parts) {
      part(b, part, parts.size() > 1);
    }
    b.append("<p id=state data-done=").append(finished).append("></p>");
    return ViewPages.Response.html(200, ViewPages.layout("Findings", b.toString()));
  }

  private void part(StringBuilder b, JmcFindings.Part part, boolean several) {
    if (several) {
      b.append("<h2>").append(esc(part.file())).append(", ").append(esc(part.jvm())).append(", ")
          .append(esc(windows.describe(part.fromNanos()))).append(" to ").append(esc(windows.describe(part.toNanos())))
          .append("</h2>");
    }
    List<JmcFindings.Finding> applies = part.findings().stream().filter(JmcFindings.Finding::applies).toList();
    List<JmcFindings.Finding> others = part.findings().stream().filter(f -> !f.applies()).toList();
    table(b, applies);
    if (!others.isEmpty()) {
      // Rules whose events the trace lacks: JMC shows them too, but they say nothing of this run.
      b.append("<details><summary>").append(others.size()).append(" rule").append(others.size() == 1 ? "" : "s")
          .append(" that did not apply (the trace lacks their events, or they were ignored)</summary>");
      table(b, others);
      b.append("</details>");
    }
    if (!part.failures().isEmpty()) {
      b.append("<p class=note>Rules that failed on this part (JMC's own errors): ");
      for (int i = 0; i < part.failures().size(); i++) {
        JmcFindings.Failure failure = part.failures().get(i);
        b.append(i == 0 ? "" : ", ").append(esc(failure.ruleId())).append(" (").append(esc(failure.reason())).append(')');
      }
      b.append(".</p>");
    }
  }

  private void table(StringBuilder b, List<JmcFindings.Finding> findings) {
    b.append("<table class=findings><thead><tr><th>severity</th><th class=n>score</th><th>rule</th><th>summary</th>")
        .append("<th>when</th></tr></thead><tbody>");
    for (JmcFindings.Finding f : findings) {
      b.append("<tr class=\"finding ").append(esc(f.severity().toLowerCase(Locale.ROOT))).append("\" data-rule=\"")
          .append(esc(f.ruleId())).append('"');
      if (f.hasTime()) {
        b.append(" data-from=").append(f.fromNanos() - windows.startNanos()).append(" data-to=")
            .append(f.toNanos() - windows.startNanos());
      }
      b.append("><td>").append(esc(f.severity())).append("</td><td class=n>")
          .append(String.format(Locale.ROOT, "%.1f", f.score())).append("</td><td>").append(esc(f.rule()))
          .append(" <span class=note>").append(esc(f.topic())).append("</span></td><td><details><summary>")
          .append(esc(f.summary())).append("</summary>");
      if (!f.explanation().isEmpty()) {
        b.append("<p class=explanation>").append(esc(f.explanation())).append("</p>");
      }
      if (!f.solution().isEmpty()) {
        b.append("<p class=solution>").append(esc(f.solution())).append("</p>");
      }
      b.append("</details></td><td>");
      if (f.hasTime()) {
        // JMC's span can reach outside the trace (an event that began before it, a rule's fixed
        // window): the label shows what the link opens, the part within the trace.
        long from = Math.min(Math.max(f.fromNanos(), windows.startNanos()), windows.endNanos());
        long to = Math.min(Math.max(f.toNanos(), from), windows.endNanos());
        b.append("<a class=when href=\"").append(esc(timelineLink(from, to))).append("\">")
            .append(esc(windows.describe(from)))
            .append(to > from ? " for " + esc(Durations.format(to - from)) : "")
            .append("</a>");
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table>");
  }

  /**
   * The timeline window of a finding's time, clipped to the trace: its span when that fits a
   * window (the timeline narrows a longer one and says so), the planned window around it when it
   * is an instant.
   */
  private String timelineLink(long from, long to) {
    if (to == from) {
      TimelineWindows.Window around = windows.plannedAt(from);
      from = around.fromNanos();
      to = around.toNanos();
    }
    return "/timeline?from=" + windows.query(from) + "&to=" + windows.query(to);
  }

  /** Runs the rules, part after part, on a daemon thread: the viewer ends without waiting for them. */
  private void start() {
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "livetrace-view-findings");
      t.setDaemon(true);
      return t;
    });
    worker.execute(() -> {
      for (JmcFindings.Span span : spans) {
        try {
          JmcFindings.Part part = JmcFindings.evaluate(span);
          synchronized (this) {
            done.add(part);
          }
        } catch (Exception | LinkageError | OutOfMemoryError e) {
          synchronized (this) {
            failure = "JDK Mission Control's rules stopped: " + e + (e instanceof OutOfMemoryError
                ? " (JMC holds a part of the trace whole: run view with a larger heap, java -Xmx1g -jar livetrace.jar view ...)" : "");
          }
          return;
        }
      }
    });
    worker.shutdown();
  }
}
