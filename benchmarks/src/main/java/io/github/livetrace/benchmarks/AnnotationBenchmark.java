package io.github.livetrace.benchmarks;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an annotation costs, with tracing off and on, next to a raw JFR event and an
 * OpenTelemetry SDK span in the same run.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar AnnotationBenchmark -prof gc
 * </pre>
 *
 * "on" means a real livetrace trace streaming to a discarding output with default options: the
 * cost includes JFR's writing of the events to its buffers and chunk files. The OpenTelemetry
 * span does not depend on the trace; it runs in every mode as the yardstick.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class AnnotationBenchmark {
  /**
   * off: no trace; on: a trace with default options; stacks: a trace that also records a stack
   * trace with every livetrace event, the measurement behind keeping them off.
   */
  @Param({"off", "on", "stacks"})
  public String tracing;

  private final DiscardingOutput output = new DiscardingOutput();
  private TraceSession session;
  private SdkTracerProvider otel;
  private Tracer tracer;

  /** The same shape as livetrace's log event, for the raw JFR baseline. */
  @Name("benchmark.Raw")
  @StackTrace(false)
  static final class RawEvent extends Event {
    long taskId;
    String message;
  }

  /** Discards the trace, and fails once the trial is over. */
  static final class DiscardingOutput extends OutputStream {
    volatile boolean trialOver;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (trialOver) {
        throw new IOException("the trial is over");
      }
    }
  }

  /** Exports nothing, instantly: the batch processor's cost without any network. */
  static final class DiscardingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    // A loop of events writes JFR data as fast as two cores allow, and the benchmark threads
    // compete with the reader: the longest write timeout keeps the trace on for the trial;
    // the output fails after the trial, so that the trace ends without reading them all.
    TraceOptions options = TraceOptions.defaults().withWriteTimeout(Duration.ofMinutes(10));
    if (tracing.equals("stacks")) {
      for (String event : new String[] {"Region", "Log", "TaskBegin", "TaskEnd", "OpenTask"}) {
        options = options.withSetting("livetrace." + event + "#stackTrace", "true");
      }
      options = options.withSetting("benchmark.Raw#stackTrace", "true");
    }
    if (!tracing.equals("off")) {
      session = Trace.start(output, options);
    }
    otel =
        SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(new DiscardingExporter()).build())
            .build();
    tracer = otel.get("livetrace-benchmark");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (session != null && session.failure().isPresent()) {
      // The trace ended during the trial: its later iterations measured tracing off.
      throw new IllegalStateException("the trace ended during the trial: " + session.failure().get().getMessage());
    }
    output.trialOver = true;
    Trace.stop();
    otel.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public void regionStartEnd() {
    Region r = Trace.startRegion("step");
    r.end();
  }

  @Benchmark
  public void log() {
    Trace.log("category", "a message of ordinary length");
  }

  @Benchmark
  public void logf() {
    Trace.logf("category", "order %d for %s", 42, "Ann");
  }

  @Benchmark
  public void taskBeginEnd() {
    Trace.newTask("order").end();
  }

  @Benchmark
  public void taskWithRegionAndLog() {
    Task task = Trace.newTask("order");
    try (Task.Scope s = task.makeCurrent();
        Region r = Trace.startRegion("step")) {
      Trace.log("category", "a message of ordinary length");
    }
    task.end();
  }

  @Benchmark
  public void rawJfrEventCommit() {
    RawEvent e = new RawEvent();
    if (e.isEnabled()) {
      e.taskId = 42;
      e.message = "a message of ordinary length";
      e.commit();
    }
  }

  @Benchmark
  public void openTelemetrySpanStartEnd() {
    Span span = tracer.spanBuilder("step").startSpan();
    span.end();
  }
}
