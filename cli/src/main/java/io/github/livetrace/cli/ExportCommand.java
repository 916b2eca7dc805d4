package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.ChromeTraceExport;
import io.github.livetrace.cli.internal.JsonWriter;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code livetrace export TRACE -o OUT.json}: a timeline that ui.perfetto.dev opens. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the trace in the Trace Event Format (JSON) that ui.perfetto.dev and chrome://tracing"
          + " open: a track per thread with its regions as nested slices, blocked states (park,"
          + " monitor, sleep, socket and file I/O) and CPU samples; each task as an async slice,"
          + " with flow arrows between the threads it ran on; logs as instant events; GC pauses."
    })
final class ExportCommand implements Callable<Integer> {
  enum Format {
    CHROME
  }

  @Parameters(index = "0", paramLabel = "TRACE", description = "the trace, a .jfr file")
  private Path trace;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT",
      description = "the JSON file to write")
  private Path output;

  @Option(
      names = "--format",
      defaultValue = "chrome",
      paramLabel = "FORMAT",
      description = "chrome: the Trace Event Format (the default and only format)")
  private Format format;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TraceFile file = TraceFile.open(trace);
    OutputFiles.requireWritable(output, trace);
    ChromeTraceExport.Counts counts;
    Writer writer = new OutputStreamWriter(Channels.newOutputStream(OutputFiles.open(output)), StandardCharsets.UTF_8);
    boolean done = false;
    try (JsonWriter json = new JsonWriter(new BufferedWriter(writer, 1 << 16), 2)) {
      ChromeTraceExport export = new ChromeTraceExport(json, file);
      TraceReader.read(file, export);
      counts = export.finish();
      done = true;
    } finally {
      if (!done) {
        OutputFiles.deleteQuietly(output);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT,
        "wrote %s (%s): %d threads, %,d regions, %,d tasks (%,d unfinished), %,d flows, %,d logs,"
            + " %,d GC, %,d blocked, %,d CPU samples, %,d misuse%n",
        output, SummaryReport.bytes(Files.size(output)), counts.threads, counts.regions, counts.tasks,
        counts.unfinishedTasks, counts.flows, counts.logs, counts.gc, counts.blocked, counts.cpuSamples,
        counts.misuse);
    out.println("open it at https://ui.perfetto.dev (Open trace file) or in chrome://tracing");
    out.flush();
    return 0;
  }
}
