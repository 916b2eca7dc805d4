package io.github.livetrace.cli.internal.fleet;

import io.github.livetrace.cli.internal.JsonOutput;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JsonGenerator;

/**
 * {@code manifest.json}: what a pull asked for, when, and from every pod what it got.
 *
 * <pre>
 * {"what": "trace", "path": "trace?seconds=5", "instant": "...", "startSpreadMillis": 12,
 *  "pods": [{"namespace", "pod", "node", "container", "uid", "labels", "port", "jvmStartTime",
 *            "outcome", "file", "bytes", "startOffsetMillis" (or "endOffsetMillis"), "message",
 *            "snapshots": [{"name", "file", "bytes"}]}]}
 * </pre>
 */
public final class Manifest {
  private Manifest() {}

  /** The spread of the pods' start (or end) offsets, max minus min, or null with fewer than two. */
  public static Long spreadMillis(List<FleetPull.Result> results) {
    List<Long> offsets = results.stream().map(FleetPull.Result::offsetMillis).filter(o -> o != null).toList();
    if (offsets.size() < 2) {
      return null;
    }
    return offsets.stream().mapToLong(Long::longValue).max().getAsLong() - offsets.stream().mapToLong(Long::longValue).min().getAsLong();
  }

  public static Path write(Path directory, FleetPull.Request request, Instant instant, List<FleetPull.Result> results) throws IOException {
    Path file = directory.resolve("manifest.json");
    String offsetName = request.trace() ? "startOffsetMillis" : "endOffsetMillis";
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        JsonGenerator json = JsonOutput.pretty(w)) {
      json.writeStartObject();
      json.writeStringProperty("what", request.what());
      json.writeStringProperty("path", request.path());
      json.writeStringProperty("instant", instant.toString());
      Long spread = spreadMillis(results);
      if (spread != null) {
        json.writeNumberProperty(request.trace() ? "startSpreadMillis" : "endSpreadMillis", spread);
      }
      json.writeArrayPropertyStart("pods");
      for (FleetPull.Result r : results) {
        Pod p = r.pod();
        json.writeStartObject();
        json.writeStringProperty("namespace", p.namespace());
        json.writeStringProperty("pod", p.name());
        json.writeStringProperty("node", p.node());
        json.writeStringProperty("container", p.container());
        json.writeStringProperty("uid", p.uid());
        json.writeObjectPropertyStart("labels");
        for (Map.Entry<String, String> l : new TreeMap<>(p.labels()).entrySet()) {
          json.writeStringProperty(l.getKey(), l.getValue());
        }
        json.writeEndObject();
        json.writeNumberProperty("port", p.port());
        json.writeStringProperty("jvmStartTime", r.jvmStartTime() == null ? null : r.jvmStartTime().toString());
        json.writeStringProperty("outcome", r.outcome().label());
        json.writeStringProperty("file", r.file() == null ? null : r.file().getFileName().toString());
        json.writeNumberProperty("bytes", r.bytes());
        if (r.offsetMillis() != null) {
          json.writeNumberProperty(offsetName, r.offsetMillis());
        }
        if (r.message() != null) {
          json.writeStringProperty("message", r.message());
        }
        if (!r.snapshots().isEmpty()) {
          json.writeArrayPropertyStart("snapshots");
          for (FleetPull.Snapshot s : r.snapshots()) {
            json.writeStartObject();
            json.writeStringProperty("name", s.name());
            json.writeStringProperty("file", s.file().getFileName().toString());
            json.writeNumberProperty("bytes", s.bytes());
            json.writeEndObject();
          }
          json.writeEndArray();
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return file;
  }
}
