package io.github.livetrace.micrometer;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceFailure;
import io.github.livetrace.TraceFailure.Reason;
import io.github.livetrace.internal.FlightRecorderStats;
import io.github.livetrace.internal.FlightRecorderStats.Skip;
import io.github.livetrace.internal.FlightRecorderStats.Trigger;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.TraceStats.Rejection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters for livetrace. Bind it to a registry once:
 *
 * <pre>{@code
 * new LivetraceMetrics().bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code livetrace.traces.started}</td><td>counter</td><td>traces started</td></tr>
 *   <tr><td>{@code livetrace.traces.rejected}</td><td>counter, tag {@code reason}</td>
 *       <td>requests for a trace turned down: {@code busy}, {@code bad_request},
 *       {@code unauthorized}, {@code forbidden}, {@code unavailable}</td></tr>
 *   <tr><td>{@code livetrace.traces.failed}</td><td>counter, tag {@code reason}</td>
 *       <td>traces livetrace ended early itself: {@code write_timeout} (a client too slow for the
 *       write timeout), {@code sensitive_events} (another recording put secret-bearing events in
 *       the chunks), {@code recording_closed} (its recording stopped from outside), {@code
 *       jfr_error}; a client that goes away is not counted</td></tr>
 *   <tr><td>{@code livetrace.traces.active}</td><td>gauge</td><td>1 while a trace records</td></tr>
 *   <tr><td>{@code livetrace.traces.streamed}</td><td>counter, bytes</td>
 *       <td>trace bytes written to clients</td></tr>
 *   <tr><td>{@code livetrace.task}</td><td>timer, tag {@code type}</td>
 *       <td>task latency, creation to {@code Task.end()}, whether or not a trace records</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.active}</td><td>gauge</td>
 *       <td>1 while a flight recorder records</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.refused}</td><td>gauge, tag {@code reason}</td>
 *       <td>1 while a flight recorder that was configured ({@code FlightRecorder.startWhenPossible})
 *       is kept from starting: {@code sensitive_events} (it starts once the other recording stops),
 *       {@code jfr_unavailable}, {@code another_running}</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.window.size}</td><td>gauge, bytes</td>
 *       <td>the flight recorder's window on disk: the chunks kept and the one being written</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.snapshots}</td><td>counter, tag {@code reason}</td>
 *       <td>snapshots written: {@code slow_task}, {@code application}</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.snapshots.skipped}</td><td>counter, tag {@code cause}</td>
 *       <td>snapshots asked for but not written: {@code min_interval}, {@code error}, {@code stopped}</td></tr>
 *   <tr><td>{@code livetrace.flightrecorder.failed}</td><td>counter, tag {@code reason}</td>
 *       <td>flight recorders that stopped by themselves: {@code recording_closed} (from outside),
 *       {@code jfr_error}</td></tr>
 * </table>
 *
 * <p>The counters are process-wide, whichever servlet or code started the trace. Task types
 * become tag values, so their number is capped ({@link #withMaxTaskTypes}); tasks of further
 * types are timed under {@code type=other}.
 *
 * <p>Micrometer is an optional dependency of livetrace-core: only applications that use this
 * class need it.
 */
public final class LivetraceMetrics implements MeterBinder, AutoCloseable {
  /** Default cap on distinct {@code type} tag values of {@code livetrace.task}. */
  public static final int DEFAULT_MAX_TASK_TYPES = 100;

  static final String OTHER_TYPE = "other";

  private final boolean percentileHistogram;
  private final int maxTaskTypes;
  private final Tags tags;
  private final CopyOnWriteArrayList<TraceStats.TaskEndListener> listeners =
      new CopyOnWriteArrayList<>();

  /** Task timers without a percentile histogram, at most 100 task types, no extra tags. */
  public LivetraceMetrics() {
    this(false, DEFAULT_MAX_TASK_TYPES, Tags.empty());
  }

  private LivetraceMetrics(boolean percentileHistogram, int maxTaskTypes, Tags tags) {
    this.percentileHistogram = percentileHistogram;
    this.maxTaskTypes = maxTaskTypes;
    this.tags = tags;
  }

  /** Publish a percentile histogram for {@code livetrace.task} (more time series). */
  public LivetraceMetrics withPercentileHistogram(boolean enabled) {
    return new LivetraceMetrics(enabled, maxTaskTypes, tags);
  }

  /** Cap on distinct task types timed separately. */
  public LivetraceMetrics withMaxTaskTypes(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxTaskTypes must be at least 1, was " + max);
    }
    return new LivetraceMetrics(percentileHistogram, max, tags);
  }

  /** Tags added to every meter. */
  public LivetraceMetrics withTags(Iterable<io.micrometer.core.instrument.Tag> extra) {
    return new LivetraceMetrics(percentileHistogram, maxTaskTypes, tags.and(extra));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("livetrace.traces.started", TraceStats.class, c -> TraceStats.startedCount())
        .description("Traces started")
        .tags(tags)
        .register(registry);
    for (Rejection reason : Rejection.values()) {
      FunctionCounter.builder(
              "livetrace.traces.rejected", reason, r -> TraceStats.rejectedCount(r))
          .description("Requests for a trace that were turned down, by reason")
          .tags(tags)
          .tag("reason", reason.tag())
          .register(registry);
    }
    for (TraceFailure.Reason reason : TraceFailure.Reason.values()) {
      if (reason == TraceFailure.Reason.OUTPUT) {
        continue; // the client's doing, not a cut by livetrace
      }
      FunctionCounter.builder("livetrace.traces.failed", reason, r -> TraceStats.failedCount(r))
          .description("Traces that livetrace ended before their time, by reason; their responses were aborted")
          .tags(tags)
          .tag("reason", reason.tag())
          .register(registry);
    }
    Gauge.builder("livetrace.traces.active", () -> Trace.isEnabled() ? 1 : 0)
        .description("1 while a trace is recording, else 0")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(
            "livetrace.traces.streamed", TraceStats.class, c -> TraceStats.streamedBytes())
        .description("Trace bytes written to their outputs")
        .baseUnit(BaseUnits.BYTES)
        .tags(tags)
        .register(registry);

    bindFlightRecorder(registry);

    Map<String, Timer> timers = new ConcurrentHashMap<>();
    TraceStats.TaskEndListener listener =
        (id, type, nanos) -> timer(registry, timers, type).record(Duration.ofNanos(nanos));
    listeners.add(listener);
    TraceStats.addTaskEndListener(listener);
  }

  /** Process-wide like the trace meters, whichever flight recorder runs. */
  private void bindFlightRecorder(MeterRegistry registry) {
    Gauge.builder("livetrace.flightrecorder.active", () -> FlightRecorder.current().filter(FlightRecorder::isEnabled).isPresent() ? 1 : 0)
        .description("1 while a flight recorder is recording, else 0")
        .tags(tags)
        .register(registry);
    for (FlightRecorder.StartRefusal.Reason reason : FlightRecorder.StartRefusal.Reason.values()) {
      Gauge.builder(
              "livetrace.flightrecorder.refused",
              () -> FlightRecorder.current()
                      .filter(r -> !r.isEnabled())
                      .flatMap(FlightRecorder::startRefusal)
                      .filter(r -> r.reason() == reason)
                      .isPresent()
                  ? 1
                  : 0)
          .description("1 while a flight recorder that was configured is kept from starting, by reason")
          .tags(tags)
          .tag("reason", reason.tag())
          .register(registry);
    }
    Gauge.builder("livetrace.flightrecorder.window.size", () -> FlightRecorder.current().map(FlightRecorder::windowBytes).orElse(0L))
        .description("Bytes of the flight recorder's window on disk: the chunks kept and the one being written")
        .baseUnit(BaseUnits.BYTES)
        .tags(tags)
        .register(registry);
    for (Trigger trigger : Trigger.values()) {
      FunctionCounter.builder("livetrace.flightrecorder.snapshots", trigger, FlightRecorderStats::writtenCount)
          .description("Flight recorder snapshots written, by what asked for them")
          .tags(tags)
          .tag("reason", trigger.tag())
          .register(registry);
    }
    for (Skip cause : Skip.values()) {
      FunctionCounter.builder("livetrace.flightrecorder.snapshots.skipped", cause, FlightRecorderStats::skippedCount)
          .description("Flight recorder snapshots asked for but not written, by cause")
          .tags(tags)
          .tag("cause", cause.tag())
          .register(registry);
    }
    for (Reason reason : new Reason[] {Reason.RECORDING_CLOSED, Reason.JFR_ERROR}) {
      FunctionCounter.builder("livetrace.flightrecorder.failed", reason, FlightRecorderStats::failedCount)
          .description("Flight recorders that stopped by themselves: recording stopped from outside, or a JFR error")
          .tags(tags)
          .tag("reason", reason.tag())
          .register(registry);
    }
  }

  private Timer timer(MeterRegistry registry, Map<String, Timer> timers, String type) {
    Timer timer = timers.get(type);
    if (timer != null) {
      return timer;
    }
    String key = timers.size() < maxTaskTypes ? type : OTHER_TYPE;
    return timers.computeIfAbsent(
        key,
        k ->
            Timer.builder("livetrace.task")
                .description("Latency of livetrace tasks, from creation to end, by task type")
                .tags(tags)
                .tag("type", k.isEmpty() ? "none" : k)
                .publishPercentileHistogram(percentileHistogram)
                .register(registry));
  }

  /** Stops feeding task timers; the meters stay registered. */
  @Override
  public void close() {
    for (TraceStats.TaskEndListener l : listeners) {
      TraceStats.removeTaskEndListener(l);
    }
    listeners.clear();
  }
}
