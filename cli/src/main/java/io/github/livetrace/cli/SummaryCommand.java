package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.JsonOutput;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code livetrace summary TRACE}: task and region latency, logs, and the shape of the trace. */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = {
      "Per task type and per region type: count, completed count, p50/p90/p99/max latency and a"
          + " log-scale latency histogram; logs per category; the trace's time span, chunks and"
          + " threads.",
      "Percentiles are within 0.8%% of the exact values. Reads the trace once, in bounded memory.",
      "Several files, or a directory that livetrace pull wrote, are one trace of many JVMs: every"
          + " chunk names its JVM (livetrace.JVM), task ids are kept apart per JVM, and each task type"
          + " is also shown per JVM, marking the JVMs whose p99 stands out."
    })
final class SummaryCommand implements Callable<Integer> {
  enum Format {
    TEXT,
    JSON
  }

  @Parameters(arity = "1..*", paramLabel = "TRACE",
      description = "the trace: a .jfr file, several, or a directory (such as one livetrace pull wrote)")
  private List<Path> traces;

  @Option(
      names = "--format",
      defaultValue = "text",
      paramLabel = "FORMAT",
      description = "text (default) or json")
  private Format format;

  @Option(
      names = "--histograms",
      description = "text format: also draw each type's latency histogram as bars")
  private boolean histograms;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Fleet fleet = Fleet.open(traces, note -> err.println("livetrace summary: " + note));
    err.flush();
    TraceSummary summary = TraceSummary.of(fleet);
    PrintWriter out = spec.commandLine().getOut();
    SummaryReport report = new SummaryReport(fleet, summary);
    if (format == Format.JSON) {
      report.json(JsonOutput.pretty(out));
    } else {
      report.text(out, histograms);
    }
    out.flush();
    return 0;
  }
}
