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
}
