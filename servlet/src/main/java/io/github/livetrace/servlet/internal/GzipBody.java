package io.github.livetrace.servlet.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream (RFC 1952, one member) that can send something before its content exists: empty
 * deflate blocks ({@link #keepAlive()}), which every inflater reads as nothing. A profile's bytes
 * exist only once its recording is over; until then these few bytes a second are the only way a
 * servlet learns that its client left (a write fails), since nothing else tells it.
 *
 * <p>{@code java.util.zip.GZIPOutputStream} cannot do this: zlib writes no block on a flush
 * without new input. So this writes the gzip header and trailer itself around a raw deflate
 * stream: the empty stored blocks (not final: header bits {@code 000}, LEN 0, NLEN 0xFFFF, the
 * same five bytes as zlib's sync flush marker) come first, at a byte boundary, then the content's
 * blocks.
 */
final class GzipBody extends OutputStream {
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  private static final byte[] EMPTY_STORED_BLOCK = {0, 0, 0, (byte) 0xff, (byte) 0xff};

  private final OutputStream out;
  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
  private final CRC32 crc = new CRC32();
  private final byte[] buf = new byte[8192];
  private boolean headerWritten;
  private boolean contentStarted;
  private boolean finished;
  private long size;

  GzipBody(OutputStream out) {
    this.out = out;
  }

  /** Writes an empty block and flushes; only before any content. */
  void keepAlive() throws IOException {
    if (contentStarted) {
      throw new IllegalStateException("keep-alive blocks go before the content");
    }
    header();
    out.write(EMPTY_STORED_BLOCK);
    out.flush();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished) {
      throw new IOException("the gzip stream is finished");
    }
    header();
    contentStarted = true;
    crc.update(b, off, len);
    size += len;
    deflater.setInput(b, off, len);
    while (!deflater.needsInput()) {
      drain(Deflater.NO_FLUSH);
    }
  }

  /** Ends the deflate stream, writes the trailer and flushes; the underlying stream stays open. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    header();
    finished = true;
    deflater.finish();
    while (!deflater.finished()) {
      drain(Deflater.NO_FLUSH);
    }
    deflater.end();
    long crcValue = crc.getValue();
    byte[] trailer = new byte[8];
    for (int i = 0; i < 4; i++) {
      trailer[i] = (byte) (crcValue >>> (8 * i));
      trailer[4 + i] = (byte) (size >>> (8 * i)); // ISIZE: the size modulo 2^32
    }
    out.write(trailer);
    out.flush();
  }

  /** Frees the deflater when the stream is abandoned; the underlying stream stays open. */
  @Override
  public void close() {
    deflater.end();
  }

  private void header() throws IOException {
    if (!headerWritten) {
      headerWritten = true;
      out.write(HEADER);
    }
  }

  private void drain(int flush) throws IOException {
    int n = deflater.deflate(buf, 0, buf.length, flush);
    if (n > 0) {
      out.write(buf, 0, n);
    }
  }
}
