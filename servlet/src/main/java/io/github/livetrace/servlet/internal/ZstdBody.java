package io.github.livetrace.servlet.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A zstd body (RFC 8878, one frame) through zstd-jni, libzstd's own streaming compressor: each
 * {@link #flush()} ends a block ({@code ZSTD_e_flush}), so whatever was written so far, a whole JFR
 * chunk, decodes on the client before the next one comes; the window (2 MB at this level) goes on
 * across flushes, so the metadata that every chunk repeats costs a few bytes after the first.
 *
 * <p>Level 6 with a minimum match of 4 bytes: JFR's records are runs of small varints, where
 * 4-byte matches pay. A 5 s demo trace of 924 KB: 146 KB for ~5 ms of CPU, where level 3 gives
 * 158 KB for ~2 ms and gzip 303 KB for ~25 ms (README, Performance).
 *
 * <p>The compressor's memory (~5 MB) is native: {@link #finish()} or {@link #close()} frees it,
 * one of them on every path. {@code close} abandons the frame without writing its end, so an
 * answer cut short never ends as a complete zstd stream.
 */
final class ZstdBody extends OutputStream {
  static final int LEVEL = 6;
  static final int MIN_MATCH = 4;

  private static final System.Logger LOG = System.getLogger("io.github.livetrace.servlet");

  private final Gate gate;
  private final ZstdOutputStreamNoFinalizer zstd;
  private boolean done;

  ZstdBody(OutputStream out) throws IOException {
    this.gate = new Gate(out);
    this.zstd = new ZstdOutputStreamNoFinalizer(gate, LEVEL);
    try {
      zstd.setMinMatch(MIN_MATCH);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Whether zstd-jni's native library loads here: it ships libraries for Linux, macOS, Windows,
   * FreeBSD and AIX on the usual CPUs, extracted to the temp directory; a {@code noexec} temp
   * directory, another platform or an application that excluded the jar gets gzip instead. Decided
   * once, and said once at WARNING.
   */
  static boolean available() {
    return Probe.AVAILABLE;
  }

  @Override
  public void write(int b) throws IOException {
    zstd.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    zstd.write(b, off, len);
  }

  /** Ends the current block and sends it: what was written so far decodes. */
  @Override
  public void flush() throws IOException {
    if (done) {
      gate.flush(); // after finish, as OutputStream's contract allows; the frame is complete
    } else {
      zstd.flush();
    }
  }

  /** Ends the frame and flushes; the underlying stream stays open. */
  void finish() throws IOException {
    if (!done) {
      done = true;
      zstd.closeWithoutClosingParentStream();
      gate.flush();
    }
  }

  /** Frees the compressor of a body that will not be finished; writes nothing more. */
  @Override
  public void close() {
    if (!done) {
      done = true;
      gate.shut = true;
      try {
        zstd.closeWithoutClosingParentStream(); // frees the native stream; its end goes nowhere
      } catch (IOException e) {
        // nothing went out; the stream is freed all the same
      }
    }
  }

  /** The client's stream, which an abandoned frame no longer reaches. */
  private static final class Gate extends FilterOutputStream {
    private boolean shut;

    Gate(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      if (!shut) {
        out.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!shut) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (!shut) {
        out.flush();
      }
    }

    @Override
    public void close() {
      // the container's, not ours
    }
  }

  private static final class Probe {
    static final boolean AVAILABLE = probe();

    private static boolean probe() {
      try {
        byte[] sample = {'F', 'L', 'R', 0};
        return Zstd.decompress(Zstd.compress(sample), sample.length).length == sample.length;
      } catch (LinkageError | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "livetrace: zstd is not available here (" + e
            + "); JFR downloads use gzip instead");
        return false;
      }
    }
  }
}
