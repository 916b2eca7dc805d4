package io.github.livetrace.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The body of a JFR download that is written by a livetrace thread while the request thread
 * waits: a file such as {@code trace.jfr}, zstd- or gzip-compressed when the client accepts it
 * ({@link ContentCoding#forJfr}).
 *
 * <p>Servlet output streams are not thread-safe, and the request thread sends the status line
 * (flushes the headers) while the writer thread may already write: every use of the container's
 * stream goes through one lock. Each flush of the writer (one per JFR chunk) ends a zstd block or
 * is a gzip sync flush, so the stream stays progressive: each chunk decodes as it arrives, and a
 * download cut mid-way still decodes to its complete chunks.
 *
 * <p>Close it on every path ({@code try}-with-resources): the zstd compressor's memory is native,
 * and a body that was not {@linkplain #finish() finished} must not end as a complete stream.
 */
public final class StreamedResponse implements AutoCloseable {
  private final HttpServletResponse resp;
  private final ContentCoding coding;
  private final Locked locked;
  private final OutputStream body;

  private StreamedResponse(HttpServletResponse resp, ContentCoding coding) throws IOException {
    this.resp = resp;
    this.coding = coding;
    this.locked = new Locked(resp.getOutputStream());
    this.body = switch (coding) {
      case ZSTD -> new ZstdBody(locked);
      case GZIP -> new GZIPOutputStream(locked, 8192, true);
      case IDENTITY -> locked;
    };
  }

  /**
   * Sets the headers of a download of {@code filename}: octet-stream, attachment, {@code Vary:
   * Accept-Encoding}, and {@code Content-Encoding: zstd} or {@code gzip} as the request accepts.
   * Neither commits the response nor writes; for HEAD, nothing more is needed.
   *
   * @return the body's coding
   */
  public static ContentCoding headers(HttpServletRequest req, HttpServletResponse resp, String filename) {
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("application/octet-stream");
    resp.setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    resp.setHeader("Vary", "Accept-Encoding");
    ContentCoding coding = ContentCoding.forJfr(req.getHeader("Accept-Encoding"));
    if (coding.token() != null) {
      resp.setHeader("Content-Encoding", coding.token());
    }
    return coding;
  }

  /** Opens the body of a response whose {@link #headers} are set. */
  public static StreamedResponse open(HttpServletResponse resp, ContentCoding coding) throws IOException {
    return new StreamedResponse(resp, coding);
  }

  /** Where the writer writes. */
  public OutputStream body() {
    return body;
  }

  /** Sends the status line and headers now, before any body byte. */
  public void commit() throws IOException {
    synchronized (locked) {
      resp.flushBuffer();
    }
  }

  /** Completes the body once the writer is done: the zstd frame's end or gzip's trailer, then a flush. */
  public void finish() throws IOException {
    switch (coding) {
      case ZSTD -> ((ZstdBody) body).finish();
      case GZIP -> ((GZIPOutputStream) body).finish();
      case IDENTITY -> { }
    }
    body.flush();
  }

  /** Frees a zstd compressor that {@link #finish} did not; writes nothing. */
  @Override
  public void close() {
    if (coding == ContentCoding.ZSTD) {
      ((ZstdBody) body).close();
    }
  }

  /** The container's stream, used by one thread at a time. */
  private static final class Locked extends OutputStream {
    private final OutputStream out;

    Locked(OutputStream out) {
      this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() {
      // The container closes its stream when the request ends.
    }
  }
}
