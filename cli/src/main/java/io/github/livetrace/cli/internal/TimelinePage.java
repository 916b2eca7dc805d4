package io.github.livetrace.cli.internal;

import static io.github.livetrace.cli.internal.ViewPages.esc;

import io.github.livetrace.internal.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * {@code view}'s timeline: {@code /timeline?from=F&to=T} is the page of a window (which one, the
 * previous and next, every planned window, how the trace is split) and {@code
 * /timeline.json?from=F&to=T} its data, which {@code view.js} fetches and draws with ECharts: the
 * bytes {@code livetrace export --from F --to T} writes ({@link WindowExport}), one model for
 * both. The window's bounds are those of {@link TimelineWindows}; its JSON is made per request,
 * from the few chunks around the window, and not kept.
 */
final class TimelinePage implements AutoCloseable {
  /**
   * Events per window: about 150 bytes of JSON each, so at most about 8 MB of JSON and 50,000
   * slices, which ECharts draws in about a second. Measured on benchmarks/cli-summary-workload.java's
   * trace, where windows cut by bytes of the file instead came out at 5 to 39 MB of JSON: events
   * crowd within chunks. Go's viewer allows ~100 MB of JSON, for Chrome's trace viewer.
   */
  static final long EVENTS_PER_WINDOW = 50_000;

  private final Fleet fleet;
  private final long eventsPerWindow;
  private volatile TimelineWindows windows; // planned on the first visit: one pass over the trace
  private final PerfettoHandOver perfetto;

  TimelinePage(Fleet fleet) {
    this(fleet, EVENTS_PER_WINDOW);
  }

  TimelinePage(Fleet fleet, long eventsPerWindow) {
    this.fleet = fleet;
    this.eventsPerWindow = eventsPerWindow;
    this.perfetto = new PerfettoHandOver(this, PerfettoHandOver.PORT);
  }

  /** Stops serving windows to the Perfetto UI, if it was asked to. */
  @Override
  public void close() {
    perfetto.close();
  }

  /**
   * {@code /perfetto?from=F&to=T}, where the timeline's button leads: serves the window on
   * 127.0.0.1:9001 and sends the browser to the Perfetto UI, which fetches it from there.
   */
  ViewPages.Response perfetto(Map<String, String> query) throws ViewPages.Refused, BadInputException, IOException {
    TimelineWindows.Window window = window(query);
    String back = "/timeline?from=" + windows.query(window.fromNanos()) + "&to=" + windows.query(window.toNanos());
    String ui;
    try {
      ui = perfetto.open(windows, window);
    } catch (IOException e) {
      throw new ViewPages.Refused(503, "cannot serve the window to the Perfetto UI on 127.0.0.1:" + PerfettoHandOver.PORT
          + ", the one port it may fetch from (" + e.getMessage() + "): another program has it. 'livetrace export --from "
          + windows.query(window.fromNanos()) + " --to " + windows.query(window.toNanos())
          + "' writes the same window to a file to open at " + PerfettoHandOver.UI, back);
    }
    return ViewPages.Response.html(200, ViewPages.layout("Opening the Perfetto UI",
        "<meta http-equiv=refresh content=\"0; url=" + esc(ui) + "\"><p>The window is served at <code id=served>"
            + esc(ui.substring(ui.indexOf("url=") + 4)) + "</code> for the Perfetto UI, which needs the internet. If it does not"
            + " open, go to <a id=ui href=\"" + esc(ui) + "\">" + esc(PerfettoHandOver.UI) + "</a>.</p><p><a href=\""
            + esc(back) + "\">Back to the timeline</a></p>"));
  }

  /** The windows, counted on the first call: a pass over the trace, on the decoding threads. */
  synchronized TimelineWindows windows() throws BadInputException, IOException {
    if (windows == null) {
      windows = new TimelineWindows(fleet, EventDensity.of(fleet), eventsPerWindow);
    }
    return windows;
  }

  /** {@code /timeline} or {@code /timeline.json}. */
  ViewPages.Response page(String path, Map<String, String> query) throws ViewPages.Refused, BadInputException, IOException {
    TimelineWindows.Window window = window(query);
    if (path.endsWith(".json")) {
      return new ViewPages.Response(200, "application/json", json(window), false);
    }
    return ViewPages.Response.html(200, ViewPages.layout("Timeline", html(window)));
  }

  /** The window a query asks for; a 400 that says what is accepted when it is wrong. */
  TimelineWindows.Window window(Map<String, String> query) throws ViewPages.Refused, BadInputException, IOException {
    windows();
    try {
      return windows.window(query.get("from"), query.get("to"));
    } catch (IllegalArgumentException e) {
      throw new ViewPages.Refused(400, e.getMessage() + ". A window is /timeline?from=F&to=T, F and T each "
          + TimelineWindows.ACCEPTED + "; either may be left out.", "/timeline");
    }
  }

  /** The window's Trace Event Format JSON, as {@code export} writes it. */
  byte[] json(TimelineWindows.Window window) throws BadInputException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
    WindowExport.write(fleet, window.selection(), out);
    return out.toByteArray();
  }

  private String html(TimelineWindows.Window w) {
    StringBuilder b = new StringBuilder();
    String range = "from=" + windows.query(w.fromNanos()) + "&to=" + windows.query(w.toNanos());
    b.append("<p id=window data-from=").append(w.fromNanos() - windows.startNanos()).append(" data-to=")
        .append(w.toNanos() - windows.startNanos()).append('>')
        .append(w.index() >= 0 ? "Window " + (w.index() + 1) + " of " + windows.count() : "A window of your choice")
        .append(": ").append(esc(windows.describe(w.fromNanos()))).append(" to ").append(esc(windows.describe(w.toNanos())))
        .append(" (").append(esc(Durations.format(w.toNanos() - w.fromNanos() + 1))).append(") of a trace of ")
        .append(esc(Durations.format(windows.endNanos() - windows.startNanos()))).append('.')
        .append(w.narrowed() ? " Narrowed at its end: the window asked for holds more than a window may." : "")
        .append("</p><p class=pager>");
    // A planned window's neighbours are the planned ones; a chosen window's are as long as it is,
    // before and after it (a visit narrows one that holds too many events, and says so).
    long length = w.toNanos() - w.fromNanos() + 1;
    TimelineWindows.Window prev = w.index() > 0 ? windows.planned(w.index() - 1)
        : w.index() < 0 && w.fromNanos() > windows.startNanos()
            ? new TimelineWindows.Window(-1, Math.max(windows.startNanos(), w.fromNanos() - length), w.fromNanos() - 1, false)
            : null;
    TimelineWindows.Window next = w.index() >= 0 && w.index() + 1 < windows.count() ? windows.planned(w.index() + 1)
        : w.index() < 0 && w.toNanos() < windows.endNanos()
            ? new TimelineWindows.Window(-1, w.toNanos() + 1, Math.min(windows.endNanos(), w.toNanos() + length), false)
            : null;
    b.append(prev == null ? "<span>previous</span>" : link("prev", prev, "previous")).append(" · ")
        .append(next == null ? "<span>next</span>" : link("next", next, "next")).append("</p>");
    b.append("<p><a id=perfetto target=_blank href=\"/perfetto?").append(esc(range))
        .append("\">Open this window in the Perfetto UI</a> <span class=note>(ui.perfetto.dev, needs the internet: the")
        .append(" window is then served to it on 127.0.0.1:").append(PerfettoHandOver.PORT).append("; nothing leaves this")
        .append(" machine until then)</span></p>");
    b.append("<div class=trace-timeline data-from=").append(w.fromNanos() - windows.startNanos()).append(" data-to=")
        .append(w.toNanos() - windows.startNanos()).append(" data-src=\"/timeline.json?").append(esc(range)).append("\"></div>");
    b.append("<p class=note id=split>The trace is split into ").append(windows.count()).append(" window")
        .append(windows.count() == 1 ? "" : "s").append(", each with at most ")
        .append(String.format(Locale.ROOT, "%,d", windows.eventsPerWindow())).append(" of the events drawn (about 150 bytes of JSON each), so that a")
        .append(" window loads and draws in the browser. A window's slices are those <code>livetrace export --from F --to T</code>")
        .append(" writes: what overlaps it, read from the chunks of the trace around it (JFR writes an event when it ends:")
        .append(" a region or blocked state that lasted past the chunk after the window is not read, and a task still open")
        .append(" then is drawn to the window's end). Regions nest on their thread's row; tasks are the rows above")
        .append(" the threads; drag or scroll on the chart to zoom. CPU samples and the arrows that follow a task")
        .append(" across threads are in the window's JSON, which the Perfetto UI shows.</p>");
    b.append("<form action=\"/timeline\">window from <input name=from size=12 value=\"").append(esc(windows.query(w.fromNanos())))
        .append("\"> to <input name=to size=12 value=\"").append(esc(windows.query(w.toNanos())))
        .append("\"> <button>show</button></form>");
    b.append("<details><summary>all windows</summary><ol id=windows>");
    for (TimelineWindows.Window each : windows.windows()) {
      b.append("<li>").append(each.index() == w.index() ? "<b>" : "").append(link(null, each,
          windows.describe(each.fromNanos()) + " to " + windows.describe(each.toNanos())))
          .append(each.index() == w.index() ? "</b>" : "").append("</li>");
    }
    b.append("</ol></details>");
    return b.toString();
  }

  private String link(String id, TimelineWindows.Window w, String text) {
    return "<a" + (id == null ? "" : " id=" + id) + " href=\"/timeline?from=" + esc(windows.query(w.fromNanos())) + "&amp;to="
        + esc(windows.query(w.toNanos())) + "\">" + esc(text) + "</a>";
  }
}
