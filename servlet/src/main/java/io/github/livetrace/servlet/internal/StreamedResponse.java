package io.github.livetrace.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * The body of a download that is written by a livetrace thread while the request thread waits:
 * a file such as {@code trace.jfr}, gzip-compressed when the client accepts it.
 *
 * <p>Servlet output streams are not thread-safe, and the request thread sends the status line
 * (flushes the headers) while the writer thread may already write: every use of the container's
 * stream goes through one lock. With gzip, each flush of the writer (one per JFR chunk) is a
 * sync flush, so the stream stays progressive and a download cut mid-way still decompresses to
 * its complete chunks.
 */
public final class StreamedResponse {
  private final HttpServletResponse resp;
  private final boolean gzip;
  private final Locked locked;
  private final OutputStream body;

  private StreamedResponse(HttpServletResponse resp, boolean gzip) throws IOException {
    this.resp = resp;
    this.gzip = gzip;
    this.locked = new Locked(resp.getOutputStream());
    this.body = gzip ? new GZIPOutputStream(locked, 8192, true) : locked;
  }

  /**
   * Sets the headers of a download of {@code filename}: octet-stream, attachment, {@code Vary:
   * Accept-Encoding}, and {@code Content-Encoding: gzip} when the request accepts gzip. Neither
   * commits the response nor writes; for HEAD, nothing more is needed.
   *
   * @return whether the body is to be gzip-compressed
   */
  public static boolean headers(HttpServletRequest req, HttpServletResponse resp, String filename) {
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("application/octet-stream");
    resp.setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    resp.setHeader("Vary", "Accept-Encoding");
    boolean gzip = acceptsGzip(req.getHeader("Accept-Encoding"));
    if (gzip) {
      resp.setHeader("Content-Encoding", "gzip");
    }
    return gzip;
  }

  /** Opens the body of a response whose {@link #headers} are set. */
  public static StreamedResponse open(HttpServletResponse resp, boolean gzip) throws IOException {
    return new StreamedResponse(resp, gzip);
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

  /** Completes the body once the writer is done: the gzip trailer, then a flush. */
  public void finish() throws IOException {
    if (gzip) {
      ((GZIPOutputStream) body).finish();
    }
    body.flush();
  }

  /**
   * Whether an {@code Accept-Encoding} header accepts gzip: {@code gzip}, {@code x-gzip} or
   * {@code *} with a q-value above 0 (RFC 9110, 12.5.3).
   */
  static boolean acceptsGzip(String header) {
    if (header == null) {
      return false;
    }
    boolean star = false;
    for (String part : header.split(",")) {
      String[] params = part.split(";");
      String coding = params[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        if (p.startsWith("q=") || p.startsWith("Q=")) {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        return q > 0;
      }
      if (coding.equals("*")) {
        star = q > 0;
      }
    }
    return star;
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
