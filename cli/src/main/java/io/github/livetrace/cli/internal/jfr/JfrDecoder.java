package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Decodes the events of a JFR file for {@link JfrEventHandler}s: every event is counted and handed
 * over with its type and implicit fields, and only the fields a handler selects for a type are
 * decoded. This is what {@code jfr summary} does (it walks the size and type of every record)
 * plus the fields an analysis needs, instead of building a {@code RecordedEvent} with every field
 * of every event as {@code RecordingFile} does.
 *
 * <p>Chunks are self-contained, so they can be decoded on several threads at once, each thread
 * with a handler of its own whose results are then merged ({@link #decode(int, Supplier,
 * Consumer)}). Or one after the other with one handler, in time order ({@link
 * #decode(JfrEventHandler)}): file order is not time order when files were concatenated, and
 * analyses that follow tasks across chunks need time to move forward from chunk to chunk.
 *
 * <p>Each chunk is decoded with its own metadata and pools, and its times converted with the
 * clock of the JVM that wrote it ({@link TimeBase#forChunks}), so that chunks of several JVMs,
 * even of several JDK versions, can share a file. The one exception: a stack trace that JDK 17
 * left in the chunk where an event began is looked for there ({@link EarlierStackTraces}). Memory
 * per thread: a {@link FileWindow} of the file, and the metadata and constant pools of the chunk
 * being decoded; plus, once such a stack is looked for, a second window and the pools of the
 * last few chunks it was looked for in; plus what the handlers keep.
 */
public final class JfrDecoder {
  private final Path path;
  private final List<ChunkHeader> chunks;
  private final long[] chunkStarts;

  /**
   * @param path a JFR file
   * @param chunks its chunk headers in file order, from the first byte on, all complete
   */
  public JfrDecoder(Path path, List<ChunkHeader> chunks) {
    this.path = path;
    this.chunks = List.copyOf(chunks);
    this.chunkStarts = new long[chunks.size()];
    long start = 0;
    for (int i = 0; i < chunks.size(); i++) {
      chunkStarts[i] = start;
      start += chunks.get(i).chunkSize();
    }
  }

  /** The indexes of the chunks by start time; chunks that start together in file order. */
  public static int[] timeOrder(List<ChunkHeader> chunks) {
    return IntStream.range(0, chunks.size()).boxed()
        .sorted(Comparator.comparingLong((Integer i) -> chunks.get(i).startNanos()))
        .mapToInt(Integer::intValue).toArray();
  }

  /**
   * Hands every event of the file to {@code handler}, chunk by chunk in time order, on this
   * thread.
   *
   * @return the number of events
   * @throws JfrFormatException when the file is damaged or of a kind this decoder does not read;
   *     the message names the chunk and the offset
   * @throws IOException when the file cannot be read, or the handler throws it
   */
  public long decode(JfrEventHandler handler) throws IOException, JfrFormatException {
    return decode(handler, chunk -> true);
  }

  /**
   * {@link #decode(JfrEventHandler)} of the chunks whose index {@code wanted} accepts only: a page
   * about a moment of a large trace reads the few chunks around it.
   */
  public long decode(JfrEventHandler handler, IntPredicate wanted) throws IOException, JfrFormatException {
    if (chunks.isEmpty()) {
      return 0;
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      TimeBase[] times = TimeBase.forChunks(chunks);
      ChunkDecoder decoder = chunkDecoder(channel, () -> false);
      long events = 0;
      for (int i : timeOrder(chunks)) {
        if (wanted.test(i)) {
          events += decodeChunk(decoder, i, times, handler);
        }
      }
      return events;
    }
  }

  /**
   * Whether chunk {@code chunk} (its index in the file) declares an event type of that name: its
   * metadata is read, none of its events. A recorder declares every event type it knows in every
   * chunk, whether it wrote such events or not, so this tells what the recorder could write.
   */
  public boolean declaresEvent(int chunk, String name) throws IOException, JfrFormatException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ChunkDecoder decoder = new ChunkDecoder(channel, channel.size(), () -> false, null);
      for (JfrType type : decoder.types(chunkStarts[chunk], chunks.get(chunk))) {
        if (type.isEvent() && type.name().equals(name)) {
          return true;
        }
      }
      return false;
    } catch (JfrFormatException e) {
      throw inChunk(chunk, e);
    }
  }

  /**
   * Decodes the chunks on up to {@code threads} threads, each with a handler of its own, which
   * {@code threadDone} then receives on this thread. A thread decodes whole chunks, the largest
   * first, so that the threads finish at about the same time; its handler learns each chunk's
   * index from {@link JfrEventHandler#beginChunk}. All handlers must select the same fields.
   *
   * <p>A handler per thread rather than per chunk: the first events a handler sees take paths it
   * never takes again, and the JIT compiler, which compiles the handler into the decoding loop,
   * would throw the loop's code away for each new one.
   *
   * @param handlerPerThread makes a decoding thread's handler; called on that thread
   * @return the number of events
   * @throws JfrFormatException for the first damaged chunk found; the others are abandoned
   * @throws IOException when the file cannot be read, or a handler throws it
   */
  public <H extends JfrEventHandler> long decode(int threads, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws IOException, JfrFormatException {
    return decode(threads, chunk -> true, handlerPerThread, threadDone);
  }

  /**
   * {@link #decode(int, Supplier, Consumer)} of the chunks whose index {@code wanted} accepts
   * only; {@code threadDone} receives a handler even when none is.
   */
  public <H extends JfrEventHandler> long decode(int threads, IntPredicate wanted, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws IOException, JfrFormatException {
    if (chunks.isEmpty()) {
      return 0;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      if (wanted.test(i)) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingLong((Integer i) -> chunks.get(i).chunkSize()).reversed());
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean cancelled = new AtomicBoolean();
    BlockingQueue<Outcome<H>> outcomes = new LinkedBlockingQueue<>();
    TimeBase[] times = TimeBase.forChunks(chunks);
    int workerCount = Math.max(1, Math.min(threads, order.size()));
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < workerCount; t++) {
      Thread worker = new Thread(
          () -> work(order, next, cancelled, times, handlerPerThread, outcomes), "livetrace-decoder-" + (t + 1));
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    long events = 0;
    try {
      for (int finished = 0; finished < workerCount; finished++) {
        Outcome<H> outcome = outcomes.take();
        if (outcome.failure != null) {
          throw rethrow(outcome.failure);
        }
        events += outcome.events;
        threadDone.accept(outcome.handler);
      }
      return events;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while decoding " + path);
    } finally {
      cancelled.set(true);
      for (Thread worker : workers) {
        joinUninterruptibly(worker);
      }
    }
  }

  /** What a worker reports: its handler once all chunks are decoded, or why it stopped. */
  private static final class Outcome<H> {
    final H handler;
    final long events;
    final Throwable failure;

    Outcome(H handler, long events, Throwable failure) {
      this.handler = handler;
      this.events = events;
      this.failure = failure;
    }
  }

  private <H extends JfrEventHandler> void work(List<Integer> order, AtomicInteger next, AtomicBoolean cancelled,
      TimeBase[] times, Supplier<H> handlerPerThread, BlockingQueue<Outcome<H>> outcomes) {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ChunkDecoder decoder = chunkDecoder(channel, cancelled::get);
      H handler = handlerPerThread.get();
      long events = 0;
      for (int k = next.getAndIncrement(); k < order.size() && !cancelled.get(); k = next.getAndIncrement()) {
        events += decodeChunk(decoder, order.get(k), times, handler);
      }
      outcomes.add(new Outcome<>(handler, events, null));
    } catch (Throwable t) {
      outcomes.add(new Outcome<>(null, 0, t));
    }
  }

  /** A thread's decoder, which looks for stacks that JDK 17 left in earlier chunks. */
  private ChunkDecoder chunkDecoder(FileChannel channel, BooleanSupplier cancelled) throws IOException {
    long size = channel.size();
    return new ChunkDecoder(channel, size, cancelled, new EarlierStackTraces(channel, size, chunks, chunkStarts));
  }

  private long decodeChunk(ChunkDecoder decoder, int chunk, TimeBase[] times, JfrEventHandler handler)
      throws IOException, JfrFormatException {
    try {
      handler.beginChunk(chunk);
      return decoder.decode(chunk, chunkStarts[chunk], chunks.get(chunk), times[chunk], handler);
    } catch (JfrFormatException e) {
      throw inChunk(chunk, e);
    } catch (UncheckedIOException e) { // an earlier chunk's pools could not be read
      throw e.getCause();
    }
  }

  /** {@code e}, saying which chunk it is in. */
  private JfrFormatException inChunk(int chunk, JfrFormatException e) {
    return new JfrFormatException("chunk " + (chunk + 1) + " of " + chunks.size() + " (at offset "
        + chunkStarts[chunk] + "): " + e.getMessage());
  }

  /**
   * Waits until {@code thread} has ended, even if interrupted meanwhile, and then restores the
   * interrupt: clean-up must not leave a worker behind that still reads the file.
   */
  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Throws a worker's failure on this thread, as what it is. */
  private static RuntimeException rethrow(Throwable failure) throws IOException, JfrFormatException {
    if (failure instanceof JfrFormatException) {
      throw (JfrFormatException) failure;
    }
    if (failure instanceof IOException) {
      throw (IOException) failure;
    }
    if (failure instanceof UncheckedIOException) {
      throw ((UncheckedIOException) failure).getCause();
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    throw new IllegalStateException(failure);
  }
}
