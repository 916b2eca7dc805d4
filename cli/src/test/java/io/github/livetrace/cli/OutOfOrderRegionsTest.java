package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regions ended first-in, first-out on one thread (two overlapping requests on an event loop):
 * {@code export} keeps every thread track nested, {@code tasks} does not show the second region
 * inside the first.
 */
class OutOfOrderRegionsTest {
  private static Path file;
  private static String thread;

  @BeforeAll
  @SuppressWarnings("try") // scopes are closed, not used
  static void record() throws Exception {
    thread = Thread.currentThread().getName();
    byte[] trace = Recordings.record(TraceOptions.defaults(), () -> {
      Task task = Trace.newTask("requests");
      try (Task.Scope scope = task.makeCurrent()) {
        Region first = Trace.startRegion("first");
        work(10);
        Region second = Trace.startRegion("second");
        work(10);
        first.end(); // before the region begun inside it: misuse, recorded as it happened
        Trace.withRegion("inner", () -> work(5));
        work(10);
        second.end();
      } finally {
        task.end();
      }
    });
    assertEquals(3, TraceFiles.events(trace, EventNames.REGION).size(), "the three regions are recorded");
    file = TraceFiles.write(trace);
  }

  @Test
  void exportPutsTheRegionThatCannotNestOnAnExtraTrackMarkedAsMisuse(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = Exports.export(file, dir.resolve("out.json")); // checks nesting
    Map<String, Object> first = only(events, "first");
    Map<String, Object> second = only(events, "second");
    Map<String, Object> inner = only(events, "inner");
    // JFR writes a thread's regions as they end: first, inner, then second, which began inside
    // first and ended after it. Second is the one that no longer fits the thread's track.
    assertNotEquals(first.get("tid"), second.get("tid"), "the overlapping regions are on two tracks");
    assertEquals(first.get("tid"), inner.get("tid"));
    assertTrue(((String) Json.object(second.get("args")).get("misuse")).contains("out of order"), second::toString);
    assertFalse(Json.object(first.get("args")).containsKey("misuse"), first::toString);
    Map<Long, Map<String, Object>> names = Exports.threadNames(events);
    assertEquals(thread, names.get(Json.number(first.get("tid"))).get("name"));
    String extra = (String) names.get(Json.number(second.get("tid"))).get("name");
    assertTrue(extra.startsWith(thread + " (regions that do not nest"), extra);
  }

  @Test
  void tasksShowsTheSecondRegionBesideTheFirstNotInsideIt() {
    String out = Cli.run("tasks", file.toString(), "--type", "requests").ok().out();
    String first = line(out, "region first");
    String second = line(out, "region second");
    String inner = line(out, "region inner");
    assertEquals(indent(first), indent(second), out);
    assertTrue(second.contains("not nested: began inside region first, which ended first"), out);
    assertTrue(indent(inner) > indent(second), "inner is shown inside second:\n" + out);
  }

  private static Map<String, Object> only(List<Map<String, Object>> events, String name) {
    List<Map<String, Object>> found = Exports.with(Exports.with(events, "ph", "X"), "name", name);
    assertEquals(1, found.size(), () -> name + ": " + found);
    return found.get(0);
  }

  private static String line(String out, String part) {
    return out.lines().filter(l -> l.contains(part)).findFirst()
        .orElseThrow(() -> new AssertionError("no '" + part + "' in\n" + out));
  }

  /** Where the event column's text starts, after the thread name. */
  private static int indent(String timelineLine) {
    int at = timelineLine.indexOf(thread) + thread.length();
    int i = at;
    while (timelineLine.charAt(i) == ' ') {
      i++;
    }
    return i - at;
  }
}
