package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.pprof.JfrProfileReader;
import io.github.livetrace.internal.pprof.ProfileFormat;
import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.StackProfile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code livetrace pprof TRACE --type cpu|alloc|mutex|block -o OUT}: a profile of a downloaded
 * trace, as {@code go tool trace -pprof=TYPE} makes one of a Go trace. The same profiles, read the
 * same way, as the servlet's {@code /debug/pprof/profile}, {@code allocs}, {@code mutex} and
 * {@code block} (core's {@code io.github.livetrace.internal.pprof}): from the trace's own JFR
 * events, which {@code settings=profile} records densest.
 */
@Command(
    name = "pprof",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a profile of the trace that go tool pprof reads (gzipped protobuf, as Go serves it), or"
          + " a flame graph (--format html) or collapsed stacks. cpu: jdk.CPUTimeSample when the"
          + " trace has them, else jdk.ExecutionSample (threads in Java code), never samples of"
          + " threads waiting in native code; alloc: jdk.ObjectAllocationSample; mutex: monitor"
          + " enters and parks acquiring a lock; block: parks, monitor waits, sleeps, socket and"
          + " file I/O. A trace recorded with settings=profile samples the most."
    })
final class PprofCommand implements Callable<Integer> {
  /** The profiles a trace holds, by the names of {@code go tool trace -pprof=}'s kin. */
  enum Type {
    CPU(ProfileKind.CPU),
    ALLOC(ProfileKind.ALLOCS),
    MUTEX(ProfileKind.MUTEX),
    BLOCK(ProfileKind.BLOCK);

    final ProfileKind kind;

    Type(ProfileKind kind) {
      this.kind = kind;
    }
  }

  @Parameters(index = "0", paramLabel = "TRACE", description = "the trace, a .jfr file")
  private Path trace;

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "cpu, alloc, mutex or block")
  private Type type;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT",
      description = "the file to write, such as cpu.pb.gz")
  private Path output;

  @Option(
      names = "--format",
      defaultValue = "pprof",
      paramLabel = "FORMAT",
      description = "pprof (the default: gzipped protobuf), html (a flame graph) or collapsed")
  private ProfileFormat format;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TraceFile.open(trace); // a whole trace, or the message that points to repair
    OutputFiles.requireWritable(output, trace);
    StackProfile profile;
    try {
      profile = JfrProfileReader.read(trace, type.kind, OptionalLong.empty());
    } catch (IOException e) {
      throw new BadInputException(trace, "cannot be read as a JFR recording: " + e.getMessage());
    }
    boolean done = false;
    OutputStream file = new BufferedOutputStream(Channels.newOutputStream(OutputFiles.open(output)), 1 << 16);
    try {
      if (format == ProfileFormat.PPROF) {
        try (GZIPOutputStream gzip = new GZIPOutputStream(file, 1 << 16)) {
          format.write(profile, gzip);
        }
      } else {
        try (file) {
          format.write(profile, file);
        }
      }
      done = true;
    } finally {
      if (!done) {
        file.close();
        OutputFiles.deleteQuietly(output);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    StackProfile.ValueType main = profile.sampleTypes().get(profile.sampleTypes().size() - 1);
    out.printf(Locale.ROOT, "wrote %s (%s): %s, %,d samples, %s %s over %s of trace%n", output,
        SummaryReport.bytes(Files.size(output)), profile.title(), profile.total(0), amount(main, profile.total(profile.sampleTypes().size() - 1)),
        main.type(), Durations.format(profile.durationNanos()));
    for (String comment : profile.comments()) {
      out.println("  " + comment);
    }
    if (profile.samples().isEmpty()) {
      out.printf(Locale.ROOT, "no samples: the trace has none of %s; a trace recorded with settings=profile has them%n",
          String.join(", ", type.kind.events()));
    }
    out.flush();
    return 0;
  }

  private static String amount(StackProfile.ValueType type, long value) {
    switch (type.unit()) {
      case "nanoseconds":
        return Durations.format(value);
      case "bytes":
        return SummaryReport.bytes(value);
      default:
        return String.format(Locale.ROOT, "%,d", value);
    }
  }
}
