package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.JfrDecoder;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrFormatException;
import io.github.livetrace.cli.internal.jfr.Threads;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the events of a trace one at a time, in file order, in one of two ways. {@link #decode}
 * uses livetrace's own {@link JfrDecoder}, which decodes only the fields the handler selects and
 * is several times faster: {@code summary} reads this way. {@link #read} uses {@link
 * RecordingFile}, which gives complete {@code RecordedEvent}s (stack traces, classes, every
 * field) to analyses that need them. Either way memory holds the current chunk's metadata and
 * constant pools and a bounded number of events, whatever the size of the file.
 *
 * <p>With {@link #read}, parsing and analysis overlap: a reader thread parses events into small
 * batches while the caller's thread hands them to the handler. Both halves cost about the same
 * (JFR's by-name field access is as slow as the parsing), so on two cores a pass takes about half
 * as long. A bounded queue keeps the reader at most {@value #BATCHES_IN_FLIGHT} batches ahead.
 *
 * <p>File order is not time order. JFR writes each thread's buffer as it fills and all of them
 * when a chunk ends, so within a chunk the events of different threads interleave arbitrarily;
 * across chunks, time only moves forward. {@link TaskTracker} deals with that.
 *
 * <p>Damaged bytes, whichever reader finds them, become a {@link BadInputException} naming the
 * file; errors of the handler pass through unchanged.
 */
public final class TraceReader {
  private static final int BATCH_SIZE = 1024;
  private static final int BATCHES_IN_FLIGHT = 4;

  /** Receives each event, on the thread that called {@link #read}. */
  @FunctionalInterface
  public interface Handler {
    void event(RecordedEvent event) throws IOException;
  }

  /** Events parsed by the reader thread; the last batch of a file is empty, or carries a failure. */
  private record Batch(RecordedEvent[] events, int size, Throwable failure) {}

  private TraceReader() {}

  /**
   * Hands every event of {@code file}, which must be {@linkplain TraceFile#requireComplete()
   * complete}, to {@code handler} on this thread, in file order, decoding only the fields it
   * selects.
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
   * {@link #decode(TraceFile, JfrEventHandler)} on {@link #decodingThreads()} threads, each with
   * a handler of its own, which {@code threadDone} merges on this thread. Chunks reach a handler
   * in any order; {@link JfrEventHandler#beginChunk} says which one comes.
   *
   * @param handlerPerThread makes a decoding thread's handler
   * @return the number of events
   */
  public static <H extends JfrEventHandler> long decode(TraceFile file, Supplier<H> handlerPerThread,
      Consumer<? super H> threadDone) throws BadInputException, IOException {
    try {
      return new JfrDecoder(file.path(), file.chunks()).decode(decodingThreads(), handlerPerThread, threadDone);
    } catch (JfrFormatException e) {
      throw damaged(file, e);
    }
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

  /**
   * Calls {@code handler} for every event of {@code file}, parsed into a {@code RecordedEvent} by
   * {@link RecordingFile}; {@code file} must be {@linkplain
   * TraceFile#requireComplete() complete}.
   *
   * @return the number of events read
   */
  public static long read(TraceFile file, Handler handler) throws BadInputException, IOException {
    Parser parser = new Parser(file);
    Thread thread = new Thread(parser, "livetrace-reader");
    thread.setDaemon(true);
    thread.start();
    long events = 0;
    try {
      while (true) {
        Batch batch = parser.next();
        if (batch.failure() != null) {
          throw failure(file, events, batch.failure());
        }
        if (batch.size() == 0) {
          return events;
        }
        for (int i = 0; i < batch.size(); i++) {
          handler.event(batch.events()[i]);
        }
        events += batch.size();
      }
    } finally {
      parser.cancel();
      Threads.joinUninterruptibly(thread);
    }
  }

  private static BadInputException failure(TraceFile file, long eventsRead, Throwable cause) {
    if (cause instanceof Error && !(cause instanceof InternalError)) {
      throw (Error) cause; // out of memory, say: not the trace's fault
    }
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new BadInputException(
        file.path(),
        "damaged JFR data after " + eventsRead + " events (" + reason.replace('\n', ' ') + ")");
  }

  /** The reader thread: parses the file into batches until the end, a failure, or cancel. */
  private static final class Parser implements Runnable {
    private final TraceFile file;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES_IN_FLIGHT);
    private volatile boolean cancelled;

    Parser(TraceFile file) {
      this.file = file;
    }

    @Override
    public void run() {
      try (RecordingFile recording = new RecordingFile(file.path())) {
        RecordedEvent[] events = new RecordedEvent[BATCH_SIZE];
        int size = 0;
        while (!cancelled && recording.hasMoreEvents()) {
          events[size++] = recording.readEvent();
          if (size == BATCH_SIZE) {
            put(new Batch(events, size, null));
            events = new RecordedEvent[BATCH_SIZE];
            size = 0;
          }
        }
        if (size > 0) {
          put(new Batch(events, size, null));
        }
        put(new Batch(null, 0, null));
      } catch (Throwable t) {
        // JFR's parser throws InternalError and runtime exceptions on damaged bytes.
        put(new Batch(null, 0, t));
      }
    }

    Batch next() {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        cancelled = true;
        Thread.currentThread().interrupt();
        return new Batch(null, 0, new IOException("interrupted"));
      }
    }

    void cancel() {
      cancelled = true;
      queue.clear(); // frees a reader blocked on a full queue
    }

    private void put(Batch batch) {
      try {
        while (!cancelled) {
          if (queue.offer(batch, 50, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
