package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.ChunkHeader;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemQuery;
import org.openjdk.jmc.common.item.Aggregators;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.IRange;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.CouldNotLoadRecordingException;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultProvider;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;

/**
 * Runs JDK Mission Control's automated analysis rules ({@code flightrecorder.rules.jdk}, the
 * rules behind JMC's "Automated Analysis Results" page) on a trace. JMC's parser holds a whole
 * recording in memory, several times its size on disk; so the rules run on parts of the trace,
 * each at most {@link #BYTES_PER_PART} of consecutive chunks of one file and one JVM (every chunk
 * is a recording of its own), one part after the other, and only their results are kept.
 */
final class JmcFindings {
  /**
   * File bytes per part (a chunk larger than this is a part of its own). JMC's model of a part
   * takes many times its size in heap: on the 300 MB benchmark trace (12 MB chunks) the rules ran
   * through under -Xmx512m, and ran out of a 256 MB heap at a dense chunk, with 16 MB or 32 MB parts.
   */
  static final long BYTES_PER_PART = 16L << 20;

  /**
   * JMC's parser logs a warning for each field of a newer JDK it does not know (a thread's
   * "virtual"), which would fill the terminal {@code view} runs in; held here, or the setting
   * goes with the logger when it is collected.
   */
  private static final Logger JMC_LOG = Logger.getLogger("org.openjdk.jmc");

  static {
    JMC_LOG.setLevel(Level.SEVERE);
  }

  /** No time: the result does not point at a moment. */
  static final long NO_TIME = Long.MIN_VALUE;

  /**
   * A rule's result. {@code fromNanos}/{@code toNanos} (ns since the epoch) is the time it points
   * at, from a time range or instant among its values or from the events its query selects, or
   * {@link #NO_TIME}.
   */
  record Finding(String ruleId, String rule, String topic, String severity, boolean applies, double score, String summary,
      String explanation, String solution, long fromNanos, long toNanos) {
    boolean hasTime() {
      return fromNanos != NO_TIME;
    }
  }

  /** A rule that threw instead of giving a result (JMC's rules assume events a trace may lack). */
  record Failure(String ruleId, String reason) {}

  /** A part of the trace: where it is, and what the rules said of it, findings by score, highest first. */
  record Part(String file, String jvm, long fromNanos, long toNanos, long bytes, List<Finding> findings,
      List<Failure> failures) {}

  /** Where a part is: a file's byte range and its time span. */
  record Span(Fleet.Part part, String jvm, long offset, long bytes, long fromNanos, long toNanos) {}

  private JmcFindings() {}

  /** The parts of {@code fleet} the rules run on, in file and time order. */
  static List<Span> spans(Fleet fleet, long bytesPerPart) {
    List<Span> spans = new ArrayList<>();
    for (Fleet.Part part : fleet.parts()) {
      List<ChunkHeader> chunks = part.file().chunks();
      long offset = 0; // chunks follow one another from the file's start
      Span open = null;
      for (int i = 0; i < chunks.size(); i++) {
        ChunkHeader c = chunks.get(i);
        String jvm = fleet.jvms().get(part.jvmOfChunk()[i]).name();
        if (open != null && (open.bytes() + c.chunkSize() > bytesPerPart || !open.jvm().equals(jvm)
            || offset != open.offset() + open.bytes())) {
          spans.add(open);
          open = null;
        }
        open = open == null
            ? new Span(part, jvm, offset, c.chunkSize(), c.startNanos(), c.endNanos())
            : new Span(part, jvm, open.offset(), open.bytes() + c.chunkSize(), Math.min(open.fromNanos(), c.startNanos()),
                Math.max(open.toNanos(), c.endNanos()));
        offset += c.chunkSize();
      }
      if (open != null) {
        spans.add(open);
      }
    }
    return spans;
  }

  /** Loads a part into JMC and runs every rule on it. */
  static Part evaluate(Span span) throws BadInputException, IOException {
    IItemCollection items;
    try (FileChannel channel = FileChannel.open(span.part().file().path(), StandardOpenOption.READ)) {
      channel.position(span.offset());
      try (InputStream in = new BufferedInputStream(new Limited(Channels.newInputStream(channel), span.bytes()), 1 << 16)) {
        items = JfrLoaderToolkit.loadEvents(in);
      }
    } catch (CouldNotLoadRecordingException e) {
      throw new BadInputException(span.part().file().path(), "JDK Mission Control cannot read it: " + e.getMessage());
    }
    List<Finding> findings = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    // Rules read the results of the rules they depend on from here; the registry orders them so.
    ResultProvider earlier = new ResultProvider();
    for (IRule rule : RuleRegistry.getRules()) {
      RunnableFuture<IResult> evaluation = rule.createEvaluation(items, IPreferenceValueProvider.DEFAULT_VALUES, earlier);
      evaluation.run();
      IResult result;
      try {
        result = evaluation.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failures.add(new Failure(rule.getId(), cause.getClass().getSimpleName()));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while JMC's rules ran", e);
      }
      earlier.addResults(result);
      IQuantity score = result.getResult(TypedResult.SCORE);
      long[] time = time(rule, result, items);
      Severity severity = result.getSeverity();
      findings.add(new Finding(rule.getId(), rule.getName(), rule.getTopic(), severity.getLocalizedName(),
          severity != Severity.NA && severity != Severity.IGNORE,
          score == null ? severity.getLimit() : score.doubleValue(), text(result, result.getSummary()),
          text(result, result.getExplanation()), text(result, result.getSolution()), time[0], time[1]));
    }
    findings.sort(Comparator.comparingDouble(Finding::score).reversed());
    return new Part(String.valueOf(span.part().file().path().getFileName()), span.jvm(), span.fromNanos(), span.toNanos(),
        span.bytes(), findings, failures);
  }

  /** A result's message with its values filled in, as plain text. */
  private static String text(IResult result, String template) {
    // JMC's templates are MessageFormat patterns, where '' stands for one quote; populateMessage
    // fills in the values but leaves that escape as it is.
    return template == null ? "" : ResultToolkit.populateMessage(result, template, false).replace("''", "'");
  }

  /**
   * The time a result points at: a time range or an instant among its values (the pause cluster
   * of the GC rule, the window of the CPU rule), else the span of the events its query selects.
   */
  private static long[] time(IRule rule, IResult result, IItemCollection items) {
    for (TypedResult<?> typed : rule.getResults()) {
      Object value = result.getResult(typed);
      if (value instanceof IRange<?> range && isTime(range.getStart()) && isTime(range.getEnd())) {
        return new long[] {nanos((IQuantity) range.getStart()), nanos((IQuantity) range.getEnd())};
      }
      if (isTime(value)) {
        long at = nanos((IQuantity) value);
        return new long[] {at, at};
      }
    }
    IItemQuery query = result.getResult(TypedResult.ITEM_QUERY);
    if (query != null && query.getFilter() != null) {
      IItemCollection selected = items.apply(query.getFilter());
      IQuantity first = selected.getAggregate(Aggregators.min(JfrAttributes.START_TIME));
      IQuantity last = selected.getAggregate(Aggregators.max(JfrAttributes.END_TIME));
      if (isTime(first) && isTime(last)) {
        return new long[] {nanos(first), nanos(last)};
      }
    }
    return new long[] {NO_TIME, NO_TIME};
  }

  private static boolean isTime(Object value) {
    return value instanceof IQuantity q && q.getType() == UnitLookup.TIMESTAMP;
  }

  private static long nanos(IQuantity time) {
    return time.clampedLongValueIn(UnitLookup.EPOCH_NS);
  }

  /** At most {@code left} bytes of a stream: one part of the file. */
  private static final class Limited extends FilterInputStream {
    private long left;

    Limited(InputStream in, long left) {
      super(in);
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      left -= b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      left -= Math.max(n, 0);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, left));
      left -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(super.available(), left);
    }
  }
}
