package io.github.livetrace.internal;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The fixed 68-byte header that starts every JFR chunk.
 *
 * <p>A .jfr file is a sequence of self-contained chunks; concatenating finished chunks gives a
 * valid file. The recorder uses the header to decide which chunks of a recording it has already
 * sent, and the CLI uses it to trim a download that was cut short to its last complete chunk.
 *
 * @param major format major version (2 on JDK 17 and 25)
 * @param minor format minor version
 * @param chunkSize size of the whole chunk in bytes, header included
 * @param constantPoolOffset offset of the last constant pool event, from the chunk start
 * @param metadataOffset offset of the metadata event, from the chunk start
 * @param startNanos wall-clock start of the chunk, nanoseconds since the epoch
 * @param durationNanos how long the chunk covers
 * @param startTicks start of the chunk in ticks
 * @param ticksPerSecond tick frequency
 * @param fileState 0 when the chunk is finished; a chunk still being written is unreadable
 * @param flags bit 0: compressed integers, bit 1: final chunk of the recording
 */
public record ChunkHeader(
    int major,
    int minor,
    long chunkSize,
    long constantPoolOffset,
    long metadataOffset,
    long startNanos,
    long durationNanos,
    long startTicks,
    long ticksPerSecond,
    int fileState,
    int flags) {

  /** Size of the header in bytes. */
  public static final int SIZE = 68;

  private static final int MAGIC = 0x464C5200; // "FLR\0"

  /**
   * Reads a header from {@code SIZE} bytes at {@code offset}.
   *
   * @return the header, or empty when the bytes do not start with the JFR magic
   */
  public static Optional<ChunkHeader> parse(byte[] bytes, int offset) {
    if (bytes.length - offset < SIZE) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, SIZE).slice();
    if (b.getInt(0) != MAGIC) {
      return Optional.empty();
    }
    return Optional.of(
        new ChunkHeader(
            Short.toUnsignedInt(b.getShort(4)),
            Short.toUnsignedInt(b.getShort(6)),
            b.getLong(8),
            b.getLong(16),
            b.getLong(24),
            b.getLong(32),
            b.getLong(40),
            b.getLong(48),
            b.getLong(56),
            Byte.toUnsignedInt(b.get(64)),
            Byte.toUnsignedInt(b.get(67))));
  }

  /** Whether the JVM finished writing this chunk, so that readers accept it. */
  public boolean isFinished() {
    return fileState == 0;
  }

  /**
   * Whether the header is self-consistent: a size that can hold the header, and metadata and
   * constant-pool offsets inside the chunk. A torn or foreign header fails this check.
   */
  public boolean isPlausible() {
    return chunkSize >= SIZE
        && metadataOffset >= SIZE
        && metadataOffset < chunkSize
        && constantPoolOffset >= SIZE
        && constantPoolOffset < chunkSize;
  }

  /** Wall-clock end of the chunk, nanoseconds since the epoch. */
  public long endNanos() {
    return startNanos + durationNanos;
  }
}
