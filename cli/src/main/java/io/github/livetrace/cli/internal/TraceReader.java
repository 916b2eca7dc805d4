package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrDecoder;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrFormatException;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Reads the events of a trace with livetrace's own {@link JfrDecoder}, which every command uses,
 * so that all of them agree on what a file holds: each chunk with its own metadata, pools and
 * clock, whatever JDK wrote it. A handler selects the fields it needs; only those are decoded.
 * Memory holds a window of the file, the current chunk's metadata and constant pools and a
 * bounded number of events, whatever the size of the file.
 *
 * <p>File order is not time order. Within a chunk, JFR writes each thread's buffer as it fills
 * and all of them when the chunk ends, so the events of different threads interleave
 * arbitrarily; and a file may hold its chunks in any order (downloads concatenated). {@link
 * #decode(TraceFile, JfrEventHandler)} hands the chunks over in time order, so that across chunks
 * time moves forward; {@link TaskTracker} deals with the order within a chunk.
 *
 * <p>Damaged bytes become a {@link BadInputException} naming the file; errors of the handler pass
 * through unchanged.
 */
public final class TraceReader {
  private TraceReader() {}

  /**
   * Hands every event of {@code file}, which must be {@linkplain TraceFile#requireComplete()
   * complete}, to {@code handler} on this thread, chunk by chunk in time order, decoding only the
   * fields it selects.
   *
   * @return the number of events
   */
  public static long decode(TraceFile file, JfrEventHandler handler) throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).decode(handler);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
  }

  /**
   * {@link #decode(TraceFile, JfrEventHandler)} of the chunks that may hold events which overlap
   * {@code [fromNanos, toNanos]}, nanoseconds since the epoch, and whose JVM {@code jvmOfChunk}
   * says is {@code jvm} (-1 for any): those whose time overlaps it, and the one after. An event is written when
   * it ends, so a blocking that began in the span may be in the chunk after it; one that outlasted
   * that chunk as well is not read.
   *
   * @param jvmOfChunk by chunk index, the JVM that wrote it ({@link Fleet.Part#jvmOfChunk()})
   */
  public static long decode(TraceFile file, int[] jvmOfChunk, int jvm, long fromNanos, long toNanos,
      JfrEventHandler handler) throws BadInputException, IOException {
    boolean[] wanted = chunksAround(file.chunks(), jvmOfChunk, jvm, fromNanos, toNanos);
    return decode(file, i -> wanted[i], handler);
  }

  /** {@link #decode(TraceFile, JfrEventHandler)} of the chunks whose index {@code wanted} accepts only. */
  public static long decode(TraceFile file, IntPredicate wanted, JfrEventHandler handler)
      throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).decode(handler, wanted);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
  }

  /**
   * Whether chunk {@code chunk} of {@code file} declares the event type {@code name}, which tells
   * whether the recorder that wrote it knew that event ({@link JfrDecoder#declaresEvent}).
   */
  public static boolean declaresEvent(TraceFile file, int chunk, String name) throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).declaresEvent(chunk, name);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
  }

  /**
   * {@link #decode(TraceFile, int[], int, long, long, JfrEventHandler)} on {@link
   * #decodingThreads()} threads, as {@link #decode(TraceFile, Supplier, Consumer)}: the chunks
   * around a span, each thread with a handler of its own, merged by {@code threadDone}.
   */
  public static <H extends JfrEventHandler> long decode(TraceFile file, int[] jvmOfChunk, int jvm, long fromNanos,
      long toNanos, Supplier<H> handlerPerThread, Consumer<? super H> threadDone) throws BadInputException, IOException {
    boolean[] wanted = chunksAround(file.chunks(), jvmOfChunk, jvm, fromNanos, toNanos);
    return decode(file, i -> wanted[i], handlerPerThread, threadDone);
  }

  /**
   * The chunks that {@link #decode(TraceFile, int[], int, long, long, JfrEventHandler)} reads: by
   * index, whether it is wanted.
   */
  static boolean[] chunksAround(List<ChunkHeader> chunks, int[] jvmOfChunk, int jvm, long fromNanos, long toNanos) {
    boolean[] wanted = new boolean[chunks.size()];
    boolean afterTaken = false;
    for (int i : JfrDecoder.timeOrder(chunks)) {
      ChunkHeader chunk = chunks.get(i);
      if (jvm >= 0 && jvmOfChunk[i] != jvm || chunk.endNanos() < fromNanos) {
        continue;
      }
      if (chunk.startNanos() <= toNanos) {
        wanted[i] = true;
      } else if (!afterTaken) {
        wanted[i] = true;
        afterTaken = true;
      }
    }
    return wanted;
  }

  /**
   * {@link #decode(TraceFile, JfrEventHandler)} on {@link #decodingThreads()} threads, each with
   * a handler of its own, which {@code threadDone} merges on this thread. Chunks reach a handler
   * in any order; {@link JfrEventHandler#beginChunk} says which one comes. The merged result must
   * not depend on which thread read which chunk.
   *
   * @param handlerPerThread makes a decoding thread's handler
   * @return the number of events
   */
  public static <H extends JfrEventHandler> long decode(TraceFile file, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws BadInputException, IOException {
    return decode(file, decodingThreads(), handlerPerThread, threadDone);
  }

  /** {@link #decode(TraceFile, Supplier, Consumer)} on {@code threads} threads. */
  public static <H extends JfrEventHandler> long decode(TraceFile file, int threads, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).decode(threads, handlerPerThread, threadDone);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
  }

  /**
   * {@link #decode(TraceFile, Supplier, Consumer)} of the chunks whose index {@code wanted}
   * accepts only.
   */
  public static <H extends JfrEventHandler> long decode(TraceFile file, IntPredicate wanted, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).decode(decodingThreads(), wanted, handlerPerThread, threadDone);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
  }

  /**
   * Reads every event of {@code file} and decodes none of their fields: whether the file reads,
   * every chunk with its metadata and pools, and how many events it has.
   */
  public static long count(TraceFile file) throws BadInputException, IOException {
    return decode(file, NoFields::new, handler -> {});
  }

  /** Selects no field of any event. */
  private static final class NoFields implements JfrEventHandler {
    @Override
    public EventSelection select(JfrType type) {
      return EventSelection.of(0);
    }

    @Override
    public void event(JfrEvent event) {}
  }

  /**
   * One per processor, up to four: each holds a window of the file and a chunk's metadata and
   * pools, and a trace is read from the page cache faster than more could use.
   */
  public static int decodingThreads() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  private static BadInputException damaged(TraceFile file, JfrFormatException e) {
    return new BadInputException(file.path(), "damaged JFR data: " + e.getMessage());
  }
}
