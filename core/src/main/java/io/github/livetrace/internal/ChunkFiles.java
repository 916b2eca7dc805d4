package io.github.livetrace.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of a stopped recording's chunks, read from JFR's repository files rather than through
 * {@link jdk.jfr.Recording#getStream}: JDK 17's chunk stream implements only the one-byte {@code
 * read()} (about 80 MB/s here, and {@code skip} as slow), JDK 25's reads at disk speed. The files
 * are the same bytes the stream would return; a {@link FileChannel} reads them at disk speed on
 * every JDK.
 *
 * <p>Which files: JFR decides. The headers of the recording's oldest and newest chunks are read
 * from JFR, each from a stream that holds only that chunk (68 bytes, cheap even a byte at a time);
 * the files are those whose headers lie between, in order, and their sizes must add up to the
 * recording's size ({@link jdk.jfr.Recording#getSize}), so that none is missing and none is extra.
 * When anything does not match (no {@code jdk.jfr.repository} property, a repository moved by
 * {@code jcmd JFR.configure}, a file missing, unfinished or of another size than its header says),
 * the chunks come from JFR's stream, which is always right, only slower on JDK 17.
 *
 * <p>A JFR stream closed before its end keeps the chunks it did not reach on disk on JDK 25 (its
 * {@code close()} releases only the chunk being read; measured: a snapshot's files stayed after
 * every recording was closed), so every JFR stream opened here is read to its end before it is
 * closed there. JDK 17 releases them; there, draining would read a byte at a time, so it does not.
 */
final class ChunkFiles {
  /** Set by JFR to the repository it writes chunks to, the directory of this JVM's chunk files. */
  private static final String REPOSITORY_PROPERTY = "jdk.jfr.repository";

  /** Whether a JFR chunk stream must be read to its end to release its chunks (see above). */
  private static final boolean DRAIN_BEFORE_CLOSE = Runtime.version().feature() > 17;

  /**
   * Headers of finished chunk files, which JFR never changes: a repository kept by a long
   * recording holds thousands of files, and each trace tick would otherwise open every one.
   * Pruned to what the last listing found, so it holds no more than the repository.
   */
  private static final Map<Path, byte[]> FINISHED = new ConcurrentHashMap<>();

  private ChunkFiles() {}

  /**
   * The chunks of the stopped {@code recording}: from its repository files, those whose headers say
   * they end at or after {@code from}, oldest first; through JFR's stream ({@code getStream(from, null)}: those that end at or after {@code
   * from}) when the files cannot be trusted or {@code fromFiles} is false. Callers choose among
   * the chunks by their headers either way. Null when JFR has no chunk to give.
   *
   * @throws IOException as {@code getStream} does
   */
  static InputStream open(jdk.jfr.Recording recording, Instant from, boolean fromFiles) throws IOException {
    if (fromFiles) {
      try {
        List<Path> files = files(recording, from);
        if (files != null) {
          return new FileChunks(files);
        }
      } catch (IOException | RuntimeException e) {
        // The repository is not what JFR reads from; its stream is.
      }
    }
    return jfrStream(recording, from, null);
  }

  /** Whether {@code in} came from {@link #open} and reads repository files. */
  static boolean isFromFiles(InputStream in) {
    return in instanceof FileChunks;
  }

  /** JFR's stream of the recording's chunks in the time range, releasing them all when closed. */
  private static InputStream jfrStream(jdk.jfr.Recording recording, Instant from, Instant to) throws IOException {
    InputStream in = recording.getStream(from, to);
    if (in == null || !DRAIN_BEFORE_CLOSE) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public void close() throws IOException {
        try {
          in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
          // closed anyway below; what could not be read is not held by this stream either
        } finally {
          in.close();
        }
      }
    };
  }

  /**
   * The repository files of the recording's chunks that end at or after {@code from}, oldest
   * first; null when they cannot be trusted.
   */
  private static List<Path> files(jdk.jfr.Recording recording, Instant from) throws IOException {
    String repository = System.getProperty(REPOSITORY_PROPERTY);
    Instant start = recording.getStartTime();
    Instant stop = recording.getStopTime();
    if (repository == null || start == null || stop == null) {
      return null;
    }
    byte[] oldest = onlyChunkHeader(recording, null, start);
    byte[] newest = onlyChunkHeader(recording, stop, null);
    if (oldest == null || newest == null) {
      return null;
    }
    long oldestStart = startNanos(oldest);
    long newestStart = startNanos(newest);
    List<Candidate> held = new ArrayList<>();
    Set<Path> listed = new HashSet<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of(repository), "*.jfr")) {
      for (Path file : dir) {
        listed.add(file);
        byte[] header = FINISHED.get(file);
        if (header == null) {
          header = header(file);
          if (header == null) {
            continue; // a file JFR has only just created; the chunk being written has its header
          }
          if (header[64] == 0) {
            FINISHED.put(file, header);
          }
        }
        long chunkStart = startNanos(header);
        if (chunkStart >= oldestStart && chunkStart <= newestStart) {
          held.add(new Candidate(file, header, chunkStart));
        }
      }
    }
    FINISHED.keySet().retainAll(listed);
    held.sort(Comparator.comparingLong(Candidate::start));
    if (held.isEmpty()
        || !Arrays.equals(held.get(0).header(), oldest)
        || !Arrays.equals(held.get(held.size() - 1).header(), newest)) {
      return null;
    }
    // The recording's size is the sum of its chunks' sizes: equal sums mean no chunk is missing
    // between the oldest and the newest, and none is there that the recording does not hold.
    long size = 0;
    long fromNanos = from.getEpochSecond() * 1_000_000_000L + from.getNano();
    List<Path> files = new ArrayList<>(held.size());
    for (Candidate c : held) {
      ChunkHeader h = ChunkHeader.parse(c.header(), 0).orElse(null);
      if (h == null || !h.isFinished() || !h.isPlausible() || Files.size(c.file()) != h.chunkSize()) {
        return null;
      }
      size += h.chunkSize();
      if (h.endNanos() >= fromNanos) {
        files.add(c.file()); // a long recording's older chunks are not even opened
      }
    }
    return size == recording.getSize() ? files : null;
  }

  /**
   * The header of the one chunk JFR's stream of the time range holds; null when it holds none or
   * more than one (the recording's start and stop times are its oldest chunk's start and newest
   * chunk's end, so each end of it is one chunk).
   */
  private static byte[] onlyChunkHeader(jdk.jfr.Recording recording, Instant from, Instant to) throws IOException {
    try (InputStream in = jfrStream(recording, from, to)) {
      byte[] header = in == null ? null : in.readNBytes(ChunkHeader.SIZE);
      if (header == null || header.length < ChunkHeader.SIZE) {
        return null;
      }
      ChunkHeader h = ChunkHeader.parse(header, 0).orElse(null);
      return h != null && in.available() <= h.chunkSize() - ChunkHeader.SIZE ? header : null;
    }
  }

  private record Candidate(Path file, byte[] header, long start) {}

  private static byte[] header(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(ChunkHeader.SIZE);
      while (b.hasRemaining() && channel.read(b) >= 0) {
        // a chunk's header is written before its first event
      }
      return b.hasRemaining() ? null : b.array();
    }
  }

  private static long startNanos(byte[] header) {
    return ByteBuffer.wrap(header).getLong(32);
  }

  /** Chunk files one after another, read and skipped through their channels. */
  private static final class FileChunks extends InputStream {
    private final List<Path> files;
    private int next;
    private FileChannel current;

    FileChunks(List<Path> files) {
      this.files = files;
    }

    /** The channel to read from; null at the end of the last file. */
    private FileChannel channel() throws IOException {
      while (current == null || current.position() >= current.size()) {
        if (current != null) {
          current.close();
          current = null;
        }
        if (next == files.size()) {
          return null;
        }
        current = FileChannel.open(files.get(next++), StandardOpenOption.READ);
      }
      return current;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      FileChannel channel = channel();
      return channel == null ? -1 : channel.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public long skip(long n) throws IOException {
      FileChannel channel = channel();
      if (channel == null || n <= 0) {
        return 0;
      }
      long skipped = Math.min(n, channel.size() - channel.position());
      channel.position(channel.position() + skipped);
      return skipped;
    }

    @Override
    public void close() throws IOException {
      if (current != null) {
        current.close();
        current = null;
      }
      next = files.size();
    }
  }
}
