package io.github.livetrace.cli.internal;

import java.io.IOException;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the events of a trace one at a time, in file order, with {@link RecordingFile}: memory
 * holds the current chunk's constant pools and one event, whatever the size of the file.
 *
 * <p>File order is not time order. JFR writes each thread's buffer as it fills and all of them
 * when a chunk ends, so within a chunk the events of different threads interleave arbitrarily;
 * across chunks, time only moves forward. {@link TaskTracker} deals with that.
 *
 * <p>Errors of the JFR parser (I/O, and the runtime errors it throws on damaged bytes) become a
 * {@link BadInputException} naming the file; errors of the handler pass through unchanged.
 */
public final class TraceReader {
  /** Receives each event. */
  @FunctionalInterface
  public interface Handler {
    void event(RecordedEvent event) throws IOException;
  }

  private TraceReader() {}

  /**
   * Calls {@code handler} for every event of {@code file}, which must be {@linkplain
   * TraceFile#requireComplete() complete}.
   *
   * @return the number of events read
   */
  public static long read(TraceFile file, Handler handler) throws BadInputException, IOException {
    long events = 0;
    RecordingFile recording;
    try {
      recording = new RecordingFile(file.path());
    } catch (IOException | RuntimeException e) {
      throw damaged(file, 0, e);
    }
    try (recording) {
      while (true) {
        RecordedEvent event;
        try {
          if (!recording.hasMoreEvents()) {
            return events;
          }
          event = recording.readEvent();
        } catch (IOException | RuntimeException | InternalError e) {
          // JFR's parser throws InternalError and runtime exceptions on damaged bytes.
          throw damaged(file, events, e);
        }
        events++;
        handler.event(event);
      }
    }
  }

  private static BadInputException damaged(TraceFile file, long eventsRead, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new BadInputException(
        file.path(),
        "damaged JFR data after " + eventsRead + " events (" + reason.replace('\n', ' ') + ")");
  }
}
