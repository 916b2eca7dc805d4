package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileFormat;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of a profile answer, written by the request thread: its headers, its encoding, and
 * whether a failure came from the client (it left) or from livetrace.
 *
 * <ul>
 *   <li>pprof: {@code application/octet-stream}, {@code attachment; filename="NAME.pb.gz"}, the
 *       protobuf gzipped, as Go serves it (not a {@code Content-Encoding}: pprof files are gzip);
 *   <li>html: {@code text/html}, shown in place, with a Content-Security-Policy that lets the
 *       page load nothing from anywhere; collapsed and text: {@code text/plain}; both gzipped as
 *       {@code Content-Encoding} when the client accepts it;
 *   <li>jfr: {@code application/octet-stream}, {@code attachment; filename="NAME.jfr"}, zstd or
 *       gzip as {@code Content-Encoding} when accepted ({@link ContentCoding#forJfr}), a block
 *       flushed at every chunk as a trace's.
 * </ul>
 *
 * <p>A gzip body can {@linkplain #keepAlive() keep alive} before its content, except for jfr: its
 * answer stays uncommitted until its chunks are checked, so that a refusal is still a 409.
 */
final class ProfileOutput {
  private final HttpServletResponse resp;
  private final WatchedOutput client;
  private final GzipBody gzip; // null: zstd or identity
  private final ZstdBody zstd; // null: gzip or identity
  private final boolean keepAlive;

  private ProfileOutput(HttpServletResponse resp, ContentCoding coding, boolean keepAlive) throws IOException {
    this.resp = resp;
    this.client = new WatchedOutput(resp.getOutputStream());
    this.gzip = coding == ContentCoding.GZIP ? new GzipBody(client) : null;
    this.zstd = coding == ContentCoding.ZSTD ? new ZstdBody(client) : null;
    this.keepAlive = keepAlive && gzip != null;
  }

  /**
   * Sets the headers of an answer in {@code format} (null: the raw recording) and opens its body;
   * commits nothing.
   *
   * @param name the endpoint, for the file name
   */
  static ProfileOutput open(HttpServletRequest req, HttpServletResponse resp, String name, ProfileFormat format)
      throws IOException {
    ContentCoding coding = headers(req, resp, name, format);
    return new ProfileOutput(resp, format == ProfileFormat.PPROF ? ContentCoding.GZIP : coding, format != null);
  }

  /**
   * Sets the headers of an answer in {@code format} (null: jfr); also for HEAD.
   *
   * @return the {@code Content-Encoding} set
   */
  static ContentCoding headers(HttpServletRequest req, HttpServletResponse resp, String name, ProfileFormat format) {
    resp.setStatus(HttpServletResponse.SC_OK);
    if (format == ProfileFormat.PPROF) {
      resp.setContentType("application/octet-stream");
      resp.setHeader("Content-Disposition", "attachment; filename=\"" + name + ".pb.gz\"");
      return ContentCoding.IDENTITY;
    }
    if (format == null) {
      resp.setContentType("application/octet-stream");
      resp.setHeader("Content-Disposition", "attachment; filename=\"" + name + ".jfr\"");
    } else if (format == ProfileFormat.HTML) {
      resp.setContentType("text/html; charset=utf-8");
      // The page is self-contained: its own inline script and style, nothing fetched.
      resp.setHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
    } else {
      resp.setContentType("text/plain; charset=utf-8");
    }
    resp.setHeader("Vary", "Accept-Encoding");
    String accepted = req.getHeader("Accept-Encoding");
    ContentCoding coding = format == null ? ContentCoding.forJfr(accepted) : ContentCoding.forText(accepted);
    if (coding.token() != null) {
      resp.setHeader("Content-Encoding", coding.token());
    }
    return coding;
  }

  /** Whether {@link #keepAlive} can write before the content. */
  boolean canKeepAlive() {
    return keepAlive;
  }

  /** Writes nothing that a reader sees, and flushes: the first call commits the answer. */
  void keepAlive() throws IOException {
    gzip.keepAlive();
  }

  /** Where the content goes. */
  OutputStream body() {
    return gzip != null ? gzip : zstd != null ? zstd : client;
  }

  /** Completes the body: the gzip trailer or the zstd frame's end, then a flush. */
  void finish() throws IOException {
    if (gzip != null) {
      gzip.finish();
    }
    if (zstd != null) {
      zstd.finish();
    }
    client.flush();
  }

  /** Frees the compressor of a body that will not be finished; writes nothing more. */
  void abandon() {
    if (gzip != null) {
      gzip.close();
    }
    if (zstd != null) {
      zstd.close();
    }
  }

  /** Whether a write or flush to the client failed: it went away. */
  boolean clientFailed() {
    return client.failed();
  }

  /** Whether the status line has gone out. */
  boolean committed() {
    return resp.isCommitted();
  }
}
