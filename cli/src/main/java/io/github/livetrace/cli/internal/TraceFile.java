package io.github.livetrace.cli.internal;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A trace file on disk and its chunk layout, read from the 68-byte chunk headers only (core's
 * {@link ChunkHeader}), without parsing any event: a few kilobytes of I/O even for a gigabyte.
 *
 * <p>A .jfr file is a sequence of self-contained chunks. A download cut short ends inside a
 * chunk, and JFR's readers then refuse the whole file: {@link #requireComplete()} turns that into
 * a message that points to {@code repair}, and {@link #completeBytes()} is what {@code repair}
 * keeps.
 */
public final class TraceFile {
  private static final byte[] MAGIC = {'F', 'L', 'R', 0};

  private final Path path;
  private final long size;
  private final List<ChunkHeader> chunks;
  private final long completeBytes;
  private final String cut; // why the file does not end after its last complete chunk, or null

  private TraceFile(Path path, long size, List<ChunkHeader> chunks, long completeBytes, String cut) {
    this.path = path;
    this.size = size;
    this.chunks = chunks;
    this.completeBytes = completeBytes;
    this.cut = cut;
  }

  /**
   * Opens {@code path} and walks its chunk headers. Fails for what is not a JFR file at all
   * (missing, a directory, unreadable, empty, foreign bytes); a file that starts as JFR but is cut
   * or damaged further on is returned, with {@link #isComplete()} false.
   */
  public static TraceFile scan(Path path) throws BadInputException {
    if (!Files.exists(path)) {
      throw new BadInputException(path, "no such file");
    }
    if (Files.isDirectory(path)) {
      throw new BadInputException(path, "is a directory, not a trace file");
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        throw new BadInputException(path, "empty file (0 bytes), not a JFR trace");
      }
      ByteBuffer start = ByteBuffer.allocate(MAGIC.length);
      channel.read(start, 0);
      Optional<String> coding = CompressedDownload.coding(java.util.Arrays.copyOf(start.array(), start.position()));
      if (coding.isPresent()) {
        throw new BadInputException(
            path, "is " + coding.get() + "-compressed (a download saved without decoding it); 'livetrace repair " + path
                + " -o trace.jfr' decodes it and keeps its complete chunks");
      }
      for (int i = 0; i < MAGIC.length; i++) {
        if (i >= start.position() || start.get(i) != MAGIC[i]) {
          throw new BadInputException(
              path, "not a JFR trace (it does not start with the JFR magic bytes 'FLR\\0')");
        }
      }
      return walk(path, channel, size);
    } catch (NoSuchFileException e) {
      throw new BadInputException(path, "no such file");
    } catch (AccessDeniedException e) {
      throw new BadInputException(path, "permission denied");
    } catch (IOException e) {
      throw new BadInputException(path, "cannot read: " + e.getMessage());
    }
  }

  /** {@link #scan}, then fails unless the file is whole, naming {@code repair} as the way out. */
  public static TraceFile open(Path path) throws BadInputException {
    TraceFile file = scan(path);
    file.requireComplete();
    return file;
  }

  private static TraceFile walk(Path path, FileChannel channel, long size) throws IOException {
    List<ChunkHeader> chunks = new ArrayList<>();
    byte[] bytes = new byte[ChunkHeader.SIZE];
    long offset = 0;
    String cut = null;
    while (offset < size) {
      long left = size - offset;
      if (left < ChunkHeader.SIZE) {
        cut = "the chunk at offset " + offset + " is cut inside its header (" + left + " of "
            + ChunkHeader.SIZE + " bytes)";
        break;
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
        // read until the header is complete; FileChannel may return fewer bytes
      }
      Optional<ChunkHeader> parsed = ChunkHeader.parse(bytes, 0);
      if (parsed.isEmpty()) {
        cut = "the bytes at offset " + offset + " are not a JFR chunk";
        break;
      }
      ChunkHeader header = parsed.get();
      if (!header.isPlausible()) {
        cut = "the chunk header at offset " + offset + " is damaged";
        break;
      }
      if (header.chunkSize() > left) {
        cut = "the chunk at offset " + offset + " is cut: it has " + left + " of its "
            + header.chunkSize() + " bytes";
        break;
      }
      if (!header.isFinished()) {
        cut = "the chunk at offset " + offset + " was never finished by the JVM that wrote it";
        break;
      }
      chunks.add(header);
      offset += header.chunkSize();
    }
    return new TraceFile(path, size, Collections.unmodifiableList(chunks), offset, cut);
  }

  /**
   * Fails with a message that says where the file is cut and how to keep the complete chunks.
   */
  public void requireComplete() throws BadInputException {
    if (cut == null) {
      return;
    }
    if (chunks.isEmpty()) {
      throw new BadInputException(
          path, "truncated or damaged: " + cut + "; it has no complete chunk, so nothing can be read");
    }
    throw new BadInputException(
        path,
        "truncated or damaged: " + cut + "; run 'livetrace repair " + path
            + " -o repaired.jfr' to keep its " + chunks.size() + " complete chunk"
            + (chunks.size() == 1 ? "" : "s"));
  }

  public Path path() {
    return path;
  }

  /** File size in bytes. */
  public long size() {
    return size;
  }

  /** The complete chunks, in file order. */
  public List<ChunkHeader> chunks() {
    return chunks;
  }

  /** Whether the file ends exactly after its last complete chunk. */
  public boolean isComplete() {
    return cut == null;
  }

  /** Length of the readable prefix: the complete chunks. */
  public long completeBytes() {
    return completeBytes;
  }

  /** Why the file goes on past its complete chunks; empty when it does not. */
  public Optional<String> cut() {
    return Optional.ofNullable(cut);
  }

  /**
   * Wall-clock start of the earliest complete chunk, nanoseconds since the epoch: the time origin
   * of every command. File order is not time order: concatenated downloads may hold a later trace
   * first.
   */
  public long startNanos() {
    long start = Long.MAX_VALUE;
    for (ChunkHeader chunk : chunks) {
      start = Math.min(start, chunk.startNanos());
    }
    return chunks.isEmpty() ? 0 : start;
  }

  /** Wall-clock end of the latest complete chunk, nanoseconds since the epoch. */
  public long endNanos() {
    long end = 0;
    for (ChunkHeader chunk : chunks) {
      end = Math.max(end, chunk.endNanos());
    }
    return end;
  }
}
