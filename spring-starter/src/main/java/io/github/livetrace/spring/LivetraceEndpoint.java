package io.github.livetrace.spring;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorder.Snapshot;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.Durations;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/livetrace}: what livetrace is doing, read-only, where Spring users and Spring
 * Boot Admin look for operational state. Exposed the usual way ({@code
 * management.endpoints.web.exposure.include=livetrace}). Downloads stay on the streaming servlet:
 * the answer gives their paths, on the server that serves {@code livetrace.base-path} (the
 * management server when {@code management.server.port} is a port of its own).
 *
 * <pre>
 * {
 *   "trace": {"running": true, "startTime": "...", "plannedEnd": "...", "url": "/debug/pprof/trace?seconds=5"},
 *   "flightRecorder": {"state": "running", "startTime": "...", "minAge": "10s", "maxBytes": 10485760,
 *                      "windowBytes": 812345, "slowTasks": {"http.server.requests": "2s"}, ...},
 *   // or, configured but kept from starting: "state": "waiting" (starts by itself) or "refused",
 *   // with "reason" (sensitive_events, jfr_unavailable, another_running), "message", "startsByItself"
 *   "snapshots": [{"name": "...", "size": 901234, "time": "...", "reason": "...", "url": "..."}]
 * }
 * </pre>
 *
 * Uses only the two annotations, whose names and meaning are the same in Spring Boot 3.5 and 4.0.
 */
@Endpoint(id = "livetrace")
public class LivetraceEndpoint {
  private final String base;

  /** @param base the path the livetrace servlet is served at, context path included */
  public LivetraceEndpoint(String base) {
    this.base = base;
  }

  /** The whole state; every value a string, number, boolean, list or map, so any JSON mapper serializes it. */
  @ReadOperation
  public Map<String, Object> livetrace() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("trace", trace());
    FlightRecorder recorder = FlightRecorder.current().orElse(null);
    body.put("flightRecorder", flightRecorder(recorder));
    try {
      body.put("snapshots", snapshots(recorder));
    } catch (UncheckedIOException e) {
      body.put("snapshots", List.of());
      body.put("snapshotsError", "the snapshots cannot be listed: " + e.getCause().getMessage());
    }
    return body;
  }

  private Map<String, Object> trace() {
    Map<String, Object> trace = new LinkedHashMap<>();
    TraceSession session = Trace.activeSession().orElse(null);
    trace.put("running", session != null);
    if (session != null) {
      trace.put("startTime", session.startTime().toString());
      session.expectedEnd().map(Instant::toString).ifPresent(end -> trace.put("plannedEnd", end));
      trace.put("bytesWritten", session.bytesWritten());
    }
    trace.put("url", base + "/trace?seconds=5");
    return trace;
  }

  private Map<String, Object> flightRecorder(FlightRecorder recorder) {
    Map<String, Object> fr = new LinkedHashMap<>();
    if (recorder == null) {
      fr.put("state", "off");
      fr.put("hint", "livetrace.flight-recorder.enabled=true starts one");
      return fr;
    }
    FlightRecorder.StartRefusal refusal = recorder.isEnabled() ? null : recorder.startRefusal().orElse(null);
    fr.put(
        "state",
        recorder.isEnabled()
            ? "running"
            : refusal != null
                ? refusal.waiting() ? "waiting" : "refused"
                : recorder.failure().isPresent() ? "failed" : "stopped");
    if (refusal != null) {
      fr.put("reason", refusal.reason().tag());
      fr.put("message", refusal.message());
      fr.put("startsByItself", refusal.waiting());
    }
    recorder.failure().ifPresent(f -> fr.put("failure", f.getMessage()));
    recorder.startTime().ifPresent(t -> fr.put("startTime", t.toString()));
    fr.put("minAge", Durations.format(recorder.options().minAge()));
    fr.put("maxBytes", recorder.options().maxBytes());
    fr.put("windowBytes", recorder.windowBytes());
    Map<String, String> slowTasks = new LinkedHashMap<>();
    recorder.slowTasks().forEach((type, threshold) -> slowTasks.put(type, Durations.format(threshold)));
    fr.put("slowTasks", slowTasks);
    fr.put("snapshotDirectory", recorder.snapshotDirectory().toString());
    fr.put("url", base + "/flightrecorder");
    return fr;
  }

  private List<Map<String, Object>> snapshots(FlightRecorder recorder) {
    List<Map<String, Object>> list = new ArrayList<>();
    if (recorder == null) {
      return list;
    }
    for (Snapshot s : recorder.snapshots()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", s.name());
      entry.put("size", s.size());
      entry.put("time", s.time().toString());
      entry.put("reason", s.reason());
      entry.put("url", base + "/flightrecorder/snapshots/" + s.name());
      list.add(entry);
    }
    return list;
  }
}
