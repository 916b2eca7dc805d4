package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import io.github.livetrace.cli.internal.ChromeTraceExport;
import io.github.livetrace.cli.internal.TaskScope;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.cli.internal.WindowExport;
import io.github.livetrace.internal.Durations;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
          + " with flow arrows between the threads it ran on; logs as instant events; GC pauses.",
      "A large trace makes a file too large for the browser: --from and --to keep a time window,"
          + " --task one task.",
      "Several files, or a directory that livetrace pull wrote, become one process per JVM (pod) on"
          + " one wall-clock timeline."
    })
final class ExportCommand implements Callable<Integer> {
  enum Format {
    CHROME
  }

  @Parameters(arity = "1..*", paramLabel = "TRACE",
      description = "the trace: a .jfr file, several, or a directory (such as one livetrace pull wrote)")
  private List<Path> traces;

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

  @Option(
      names = "--from",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "only what happened from D into the trace on, such as 2s (offsets as 'tasks' prints them)")
  private Duration from;

  @Option(
      names = "--to",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "only what happened up to D into the trace")
  private Duration to;

  @Option(
      names = "--task",
      paramLabel = "ID",
      description = "only task ID, its child tasks, and the threads they ran on while it ran")
  private Long task;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (from != null && to != null && from.compareTo(to) > 0) {
      throw new ParameterException(spec.commandLine(), "--from " + Durations.format(from) + " is after --to "
          + Durations.format(to));
    }
    if (task != null && (from != null || to != null)) {
      throw new ParameterException(spec.commandLine(), "--task exports the task's own span; leave out --from and --to");
    }
    PrintWriter err = spec.commandLine().getErr();
    Fleet fleet = Fleet.open(traces, note -> err.println("livetrace export: " + note));
    err.flush();
    boolean one = WindowExport.isOneFile(fleet);
    if (task != null && !one) {
      throw new ParameterException(spec.commandLine(), "--task names a task of one JVM: give that JVM's file (ids are per JVM)");
    }
    ChromeTraceExport.Selection selection = one ? selection(fleet.parts().get(0).file()) : window(fleet.startNanos(), fleet.endNanos());
    for (Path trace : traces) {
      OutputFiles.requireWritable(output, trace);
    }
    ChromeTraceExport.Counts counts;
    FileChannel channel = OutputFiles.open(output);
    boolean done = false;
    try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
      counts = WindowExport.write(fleet, selection, out);
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
    long chunks = fleet.parts().stream().mapToLong(p -> p.file().chunks().size()).sum();
    if (counts.chunksRead < chunks) {
      out.printf(Locale.ROOT, "read %d of %d chunks: those of the window and the one after it (slices that ended later"
          + " are not in the file), and the task events of the one before%s%n", counts.chunksRead, chunks,
          counts.endsAfterWindow == 0 ? "" : String.format(Locale.ROOT, "; %,d tasks still open after them end at the"
              + " window's end, marked endsAfterWindow", counts.endsAfterWindow));
    }
    if (counts.notNested > 0) {
      out.printf(Locale.ROOT, "%,d slices did not nest on their thread's track (regions ended out of order):"
          + " they are on extra tracks of their threads, marked misuse%n", counts.notNested);
    }
    out.println("open it at https://ui.perfetto.dev (Open trace file) or in chrome://tracing");
    out.flush();
    return 0;
  }

  /** The window or task asked for, checked against the trace. */
  private ChromeTraceExport.Selection selection(TraceFile file) throws Exception {
    long span = file.endNanos() - file.startNanos();
    if (task != null) {
      TaskScope scope = new TaskScope(task);
      TraceReader.decode(file, scope);
      if (!scope.found()) {
        throw new BadInputException(file.path(), "has no begin or end of task " + task
            + " (see 'livetrace tasks " + file.path() + "')");
      }
      return scope.selection(file);
    }
    return window(file.startNanos(), file.endNanos());
  }

  /** The window of --from and --to, offsets from {@code startNanos}. */
  private ChromeTraceExport.Selection window(long startNanos, long endNanos) {
    long span = endNanos - startNanos;
    if (from == null && to == null) {
      return ChromeTraceExport.Selection.ALL;
    }
    if (from != null && from.toNanos() > span) {
      throw new ParameterException(spec.commandLine(), "--from " + Durations.format(from)
          + " is past the end of the trace, which lasts " + Durations.format(span));
    }
    long fromNanos = from == null ? Long.MIN_VALUE : startNanos + from.toNanos();
    long toNanos = to == null ? Long.MAX_VALUE : startNanos + to.toNanos();
    return new ChromeTraceExport.Selection(fromNanos, toNanos, null, null);
  }
}
