package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import io.github.livetrace.cli.internal.CompressedDownload;
import io.github.livetrace.cli.internal.TraceFile;
import io.github.livetrace.cli.internal.TraceReader;
import io.github.livetrace.internal.Durations;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code livetrace repair TRACE -o OUT}: keeps the complete chunks of a download that was cut
 * short. Chunks are self-contained, so the complete ones are a valid trace by themselves; the
 * result is read back in full before the command reports success. A download saved still zstd-
 * or gzip-encoded is decoded first, as far as it decodes ({@link CompressedDownload}).
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "A download cut short (the client was interrupted) ends inside a chunk, and JFR tools refuse"
          + " the whole file. repair copies the complete chunks to OUT, says how much was dropped,"
          + " and checks that OUT reads. A download saved still zstd- or gzip-encoded is decoded"
          + " first, as far as it goes. Exit status 0 when OUT is a valid trace."
    })
final class RepairCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TRACE", description = "the trace, a .jfr file (or .jfr.zst, .jfr.gz)")
  private Path trace;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT",
      description = "the repaired .jfr file to write")
  private Path output;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Optional<String> coding = Files.isRegularFile(trace) ? CompressedDownload.coding(trace) : Optional.empty();
    if (coding.isPresent()) {
      return decodeAndRepair(coding.get());
    }
    TraceFile file = TraceFile.scan(trace);
    if (file.chunks().isEmpty()) {
      throw new BadInputException(
          trace, "has no complete chunk, nothing to keep (" + file.cut().orElse("") + ")");
    }
    OutputFiles.requireWritable(output, trace);
    FileChannel target = OutputFiles.open(output);
    long events;
    boolean valid = false;
    try {
      copyPrefix(trace, target, file.completeBytes());
      TraceFile repaired = TraceFile.open(output);
      events = TraceReader.count(repaired);
      valid = true;
    } finally {
      if (!valid) {
        OutputFiles.deleteQuietly(output);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    int chunks = file.chunks().size();
    String kept = String.format(Locale.ROOT, "%d chunk%s, %s, %,d events, %s of trace", chunks,
        chunks == 1 ? "" : "s", SummaryReport.bytes(file.completeBytes()), events,
        Durations.format(file.endNanos() - file.startNanos()));
    if (file.isComplete()) {
      out.printf(Locale.ROOT, "%s is complete: copied all of it to %s (%s); nothing dropped%n", trace,
          output, kept);
    } else {
      long dropped = file.size() - file.completeBytes();
      out.printf(Locale.ROOT, "wrote %s: kept %s%n", output, kept);
      out.printf(Locale.ROOT, "dropped %,d bytes (%.1f%% of %s) from offset %,d: %s%n", dropped,
          100.0 * dropped / file.size(), trace, file.completeBytes(), file.cut().orElse(""));
    }
    out.flush();
    return 0;
  }

  /** Decodes a compressed download into OUT, then keeps its complete chunks there. */
  private int decodeAndRepair(String coding) throws Exception {
    OutputFiles.requireWritable(output, trace);
    FileChannel target = OutputFiles.open(output);
    boolean valid = false;
    try {
      CompressedDownload.Decoded decoded;
      try (target; OutputStream out = Channels.newOutputStream(target)) {
        decoded = CompressedDownload.decode(trace, coding, out);
      }
      if (decoded.bytes() == 0) {
        throw new BadInputException(trace, "has no complete chunk, nothing to keep (" + decoded.cut().orElse("it decodes to nothing") + ")");
      }
      TraceFile file = TraceFile.scan(output);
      if (file.chunks().isEmpty()) {
        throw new BadInputException(trace, "has no complete chunk, nothing to keep (" + file.cut().orElse("") + ")");
      }
      try (FileChannel trim = FileChannel.open(output, StandardOpenOption.WRITE)) {
        trim.truncate(file.completeBytes());
      }
      long events = TraceReader.count(TraceFile.open(output));
      valid = true;
      PrintWriter out = spec.commandLine().getOut();
      int chunks = file.chunks().size();
      out.printf(Locale.ROOT, "decoded %s: %,d bytes%s%n", coding, decoded.bytes(), decoded.cut().map(c -> "; " + c).orElse(""));
      out.printf(Locale.ROOT, "wrote %s: kept %d chunk%s, %s, %,d events, %s of trace%n", output, chunks, chunks == 1 ? "" : "s",
          SummaryReport.bytes(file.completeBytes()), events, Durations.format(file.endNanos() - file.startNanos()));
      if (!file.isComplete()) {
        out.printf(Locale.ROOT, "dropped %,d decoded bytes from offset %,d: %s%n", file.size() - file.completeBytes(),
            file.completeBytes(), file.cut().orElse(""));
      } else if (decoded.cut().isEmpty()) {
        out.printf(Locale.ROOT, "nothing dropped: the %s stream and its trace are complete%n", coding);
      }
      out.flush();
      return 0;
    } finally {
      if (!valid) {
        OutputFiles.deleteQuietly(output);
      }
    }
  }

  /** Copies the first {@code length} bytes of {@code from} to {@code target}, and closes it. */
  private static void copyPrefix(Path from, FileChannel target, long length) throws IOException {
    try (FileChannel source = FileChannel.open(from, StandardOpenOption.READ); target) {
      long position = 0;
      while (position < length) {
        long n = source.transferTo(position, length - position, target);
        if (n <= 0) {
          throw new IOException(from + " became shorter while it was copied");
        }
        position += n;
      }
    }
  }
}
