package io.github.livetrace;

import java.util.Locale;

/**
 * Why a trace ended before its duration or a stop, from {@link TraceSession#failure()}. Whatever
 * the reason, the bytes written before it are whole chunks that form a valid file, but the trace
 * is shorter than asked: the servlet aborts such a response (no final zero-length HTTP chunk, so
 * {@code curl} reports the cut) unless the client itself went away.
 *
 * <pre>{@code
 * session.awaitTermination(timeout);
 * session.failure().ifPresent(f -> log.warn("trace cut short ({}): {}", f.reason(), f.getMessage()));
 * }</pre>
 */
public final class TraceFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What ended the trace. */
  public enum Reason {
    /** Writing to the output threw: for a download, the client went away. The cause is the output's exception. */
    OUTPUT,
    /**
     * The output did not take a finished chunk within the write timeout ({@link
     * TraceOptions#withWriteTimeout}): a slow or stalled reader, or, at extreme event rates, JFR
     * writing chunks faster than livetrace can check and copy them (at disk speed, far above
     * 100 MB/s of events here). The trace ended then rather than hold
     * the recording, the disk and the one trace slot for as long as the backlog takes.
     */
    WRITE_TIMEOUT,
    /**
     * Another recording in this JVM put events that carry secrets into the trace's chunks (JFR
     * settings are a union, and chunks are shared). None of those chunks was sent.
     */
    SENSITIVE_EVENTS,
    /**
     * livetrace's recording, or a copy of it still being sent, was stopped or closed from outside:
     * {@code jcmd JFR.stop}, JDK Mission Control through the {@code FlightRecorderMXBean}, or code
     * that closes every recording.
     */
    RECORDING_CLOSED,
    /** JDK Flight Recorder failed, or returned chunks that are not well-formed. */
    JFR_ERROR;

    /** The value of the {@code reason} tag of {@code livetrace.traces.failed}: the name in lower case. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  /**
   * @param reason what ended the trace
   * @param message what happened, for a log line
   * @param cause the underlying exception, or null
   */
  public TraceFailure(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** What ended the trace. */
  public Reason reason() {
    return reason;
  }
}
