package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.TraceFiles;
import java.net.URI;
import java.util.function.Supplier;

/** What the view tests check in the browser: nothing leaves 127.0.0.1, and waiting for a page or a chart. */
final class ViewBrowser {
  private ViewBrowser() {}

  /** Fails if anything the page loaded, or links to, is not on the viewer's own origin. */
  static void assertOnlyLoopback(HeadlessChromium.Page page, URI server) {
    String origin = "http://127.0.0.1:" + server.getPort() + "/";
    String foreign = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name)"
        + ".concat([...document.querySelectorAll('[src],[href],[action]')].map(e => e.src || e.href || e.action))"
        + ".filter(u => !u.startsWith(" + jsString(origin) + ")))");
    assertEquals("[]", foreign, "requests and links that leave 127.0.0.1");
  }

  static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Waits until the tab shows a page at {@code path} (after a click) and has loaded it. */
  static void awaitPage(HeadlessChromium.Page page, String path) {
    awaitTrue(page, "location.pathname === " + jsString(path) + " && document.readyState === 'complete'",
        () -> "the browser did not reach " + path);
  }

  /** Waits until {@code condition} (JavaScript) is true in the tab. */
  static void awaitTrue(HeadlessChromium.Page page, String condition, Supplier<String> message) {
    assertTrue(TraceFiles.eventually(120, () -> {
      try {
        return "true".equals(page.evaluate("String(!!(" + condition + "))"));
      } catch (AssertionError e) {
        return false; // between two documents
      }
    }), message);
  }

  /**
   * Clicks, where ECharts draws it, the last bar (the slowest bucket) of the histogram in the
   * element {@code section} (a JavaScript expression), as a user's click does; returns the link of
   * that bucket in the table under the chart, which the click should follow.
   */
  static String clickSlowestBar(HeadlessChromium.Page page, String section) {
    return page.evaluate("(() => { const s = " + section + "; const div = s.querySelector('div.chart');"
        + " const chart = echarts.getInstanceByDom(div); const rows = s.querySelectorAll('table.histogram tbody tr');"
        + " const last = rows.length - 1; const count = Number(rows[last].cells[1].dataset.count);"
        + " const [x, y] = chart.convertToPixel({seriesIndex: 0}, [last, count / 2]);"
        + " const r = div.getBoundingClientRect(); const canvas = div.querySelector('canvas');"
        + " for (const type of ['mousemove', 'mousedown', 'mouseup', 'click']) {"
        + "   canvas.dispatchEvent(new MouseEvent(type, {clientX: r.left + x, clientY: r.top + y, bubbles: true})); }"
        + " return rows[last].cells[1].querySelector('a').getAttribute('href'); })()");
  }
}
