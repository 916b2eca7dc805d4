package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs {@code export} and reads what it wrote, checking what every exported file must satisfy:
 * it parses, and the complete slices of each thread track nest, as the Trace Event Format
 * requires.
 */
final class Exports {
  private Exports() {}

  /** Exports {@code trace} to {@code out} with the extra arguments; returns the trace events. */
  static List<Map<String, Object>> export(Path trace, Path out, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("export", trace.toString(), "-o", out.toString()));
    args.addAll(List.of(options));
    String report = Cli.run(args.toArray(String[]::new)).ok().out();
    assertTrue(report.contains("ui.perfetto.dev"), report);
    Map<String, Object> json = Json.object(Json.parse(Files.readString(out, StandardCharsets.UTF_8)));
    List<Map<String, Object>> events =
        Json.array(json.get("traceEvents")).stream().map(Json::object).collect(Collectors.toList());
    assertSlicesNest(events);
    return events;
  }

  /** Fails unless the {@code "X"} slices of each (pid, tid) track nest: none overlaps another partly. */
  static void assertSlicesNest(List<Map<String, Object>> events) {
    Map<String, List<long[]>> tracks = new HashMap<>();
    for (Map<String, Object> e : events) {
      if ("X".equals(e.get("ph"))) {
        long start = Json.micros(e.get("ts"));
        tracks.computeIfAbsent(e.get("pid") + "/" + e.get("tid"), t -> new ArrayList<>())
            .add(new long[] {start, start + Json.micros(e.get("dur"))});
      }
    }
    tracks.forEach((track, slices) -> {
      slices.sort(Comparator.<long[]>comparingLong(s -> s[0]).thenComparing(s -> -s[1]));
      Deque<long[]> open = new ArrayDeque<>();
      for (long[] slice : slices) {
        while (!open.isEmpty() && open.peek()[1] <= slice[0]) {
          open.pop();
        }
        long[] parent = open.peek();
        assertTrue(parent == null || slice[1] <= parent[1], () -> "track " + track + ": the slice ["
            + slice[0] + ", " + slice[1] + "] ns begins inside [" + parent[0] + ", " + parent[1]
            + "] and ends after it");
        open.push(slice);
      }
    });
  }

  /** The events with the given value of a key. */
  static List<Map<String, Object>> with(List<Map<String, Object>> events, String key, Object value) {
    return events.stream().filter(e -> value.equals(e.get(key))).collect(Collectors.toList());
  }

  /** Thread track names by tid, from the thread_name metadata. */
  static Map<Long, Map<String, Object>> threadNames(List<Map<String, Object>> events) {
    Map<Long, Map<String, Object>> names = new HashMap<>();
    for (Map<String, Object> e : with(events, "ph", "M")) {
      if ("thread_name".equals(e.get("name"))) {
        names.put(Json.number(e.get("tid")), Json.object(e.get("args")));
      }
    }
    return names;
  }
}
