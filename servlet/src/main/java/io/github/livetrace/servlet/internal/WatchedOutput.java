package io.github.livetrace.servlet.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A response's stream that remembers whether a write or flush to it failed: then the client went
 * away, which is no error of JFR's or livetrace's and leaves nobody to tell. Closing it leaves the
 * container's stream open; the container closes that when the request ends.
 */
final class WatchedOutput extends FilterOutputStream {
  private volatile boolean failed;

  WatchedOutput(OutputStream out) {
    super(out);
  }

  /** Whether a write or flush failed. */
  boolean failed() {
    return failed;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void close() {
    // the container's, not ours
  }
}
