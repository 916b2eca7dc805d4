package io.github.livetrace.cli.internal.jfr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A window of a file in a reusable array: the decoder asks for a range of bytes by file position
 * and gets the index where they start in {@link #bytes()}. Moving forward through a file costs a
 * read every {@value #DEFAULT_CAPACITY} bytes; jumping back (to the metadata and constant pools at
 * the end of a chunk, then to its first event) costs one read each.
 *
 * <p>Memory is the window, not the file nor the chunk: chunks can be hundreds of megabytes. The
 * window grows only to hold a single record larger than it, which is as large as it gets.
 */
final class FileWindow {
  static final int DEFAULT_CAPACITY = 4 << 20;

  private final FileChannel channel;
  private final long fileSize;
  private byte[] bytes;
  private long start; // file position of bytes[0]
  private int length; // bytes[0, length) hold the file's bytes [start, start + length)

  FileWindow(FileChannel channel, long fileSize, int capacity) {
    this.channel = channel;
    this.fileSize = fileSize;
    this.bytes = new byte[capacity];
  }

  /**
   * The index in {@link #bytes()} of the byte at {@code position}, with at least {@code needed}
   * bytes of the file from there in the array. Reading may replace the array: call {@link
   * #bytes()} after this.
   */
  int at(long position, int needed) throws IOException, JfrFormatException {
    long offset = position - start;
    if (offset >= 0 && offset + needed <= length) {
      return (int) offset;
    }
    return load(position, needed);
  }

  /** The window; valid up to index {@link #length()}. */
  byte[] bytes() {
    return bytes;
  }

  /** How many bytes of the array hold file data. */
  int length() {
    return length;
  }

  private int load(long position, int needed) throws IOException, JfrFormatException {
    if (position < 0 || needed < 0 || position + needed > fileSize) {
      throw new JfrFormatException(
          needed + " bytes at offset " + position + " lie beyond the end of the file (" + fileSize + " bytes)");
    }
    if (needed > bytes.length) {
      bytes = new byte[Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length))];
    }
    int wanted = (int) Math.min(bytes.length, fileSize - position);
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, wanted);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    start = position;
    length = buffer.position();
    if (length < needed) {
      throw new JfrFormatException("the file ended at offset " + (position + length)
          + " while " + needed + " bytes were read from offset " + position + "; it changed while being read");
    }
    return 0;
  }
}
