package io.github.livetrace.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
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
 * <p>Which files: JFR's own stream decides. The headers of the recording's oldest and newest
 * chunks and of the first chunk wanted are read from JFR (68 bytes each, cheap even a byte at a
 * time); the files are those whose headers lie between, in order, and their sizes must add up to
 * the recording's size ({@link jdk.jfr.Recording#getSize}), so that none is missing and none is
 * extra. When anything does not match (no {@code jdk.jfr.repository} property, a repository moved by
 * {@code jcmd JFR.configure}, a file missing, unfinished or of another size than its header says),
 * the stream is JFR's own, which is always right, only slower on JDK 17.
 */
final class ChunkFiles {
  /** Set by JFR to the repository it writes chunks to, the directory of this JVM's chunk files. */
  private static final String REPOSITORY_PROPERTY = "jdk.jfr.repository";

  /**
   * Headers of finished chunk files, which JFR never changes: a repository kept by a long
   * recording holds thousands of files, and each trace tick would otherwise open every one.
   * Pruned to what the last listing found, so it holds no more than the repository.
   */
  private static final Map<Path, byte[]> FINISHED = new ConcurrentHashMap<>();

  private ChunkFiles() {}

  /**
   * The chunks of the stopped {@code recording} that end at or after {@code from}, as {@link
   * jdk.jfr.Recording#getStream getStream(from, null)} returns them; null when it has none.
   *
   * @param fromFiles false to read through JFR's stream only
   * @throws IOException as {@code getStream} does
   */
  static InputStream open(jdk.jfr.Recording recording, Instant from, boolean fromFiles) throws IOException {
    InputStream jfr = recording.getStream(from, null);
    if (jfr == null || !fromFiles) {
      return jfr;
    }
    byte[] first = jfr.readNBytes(ChunkHeader.SIZE);
    try {
      List<Path> files = files(recording, first);
      if (files != null) {
        jfr.close();
        return new FileChunks(files);
      }
    } catch (IOException | RuntimeException e) {
      // The repository is not what JFR reads from; its stream is.
    }
    return new SequenceInputStream(new ByteArrayInputStream(first), jfr);
  }

  /** Whether {@code in} came from {@link #open} and reads repository files. */
  static boolean isFromFiles(InputStream in) {
    return in instanceof FileChunks;
  }

  /**
   * The repository files from the chunk with header {@code first} to the recording's last; null
   * when they cannot be trusted.
   */
  private static List<Path> files(jdk.jfr.Recording recording, byte[] first) throws IOException {
    String repository = System.getProperty(REPOSITORY_PROPERTY);
    Instant stop = recording.getStopTime();
    if (repository == null || stop == null || first.length < ChunkHeader.SIZE) {
      return null;
    }
    byte[] oldest = firstHeader(recording, null);
    byte[] last = firstHeader(recording, stop);
    if (oldest == null || last == null) {
      return null;
    }
    long oldestStart = startNanos(oldest);
    long lastStart = startNanos(last);
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
        long start = startNanos(header);
        if (start >= oldestStart && start <= lastStart) {
          held.add(new Candidate(file, header, start));
        }
      }
    }
    FINISHED.keySet().retainAll(listed);
    held.sort(Comparator.comparingLong(Candidate::start));
    if (held.isEmpty()
        || !Arrays.equals(held.get(0).header(), oldest)
        || !Arrays.equals(held.get(held.size() - 1).header(), last)) {
      return null;
    }
    // The recording's size is the sum of its chunks' sizes: equal sums mean no chunk is missing
    // between the first and the last, and none is there that the recording does not hold.
    long size = 0;
    List<Path> files = new ArrayList<>(held.size());
    boolean from = false;
    for (Candidate c : held) {
      ChunkHeader h = ChunkHeader.parse(c.header(), 0).orElse(null);
      if (h == null || !h.isFinished() || !h.isPlausible() || Files.size(c.file()) != h.chunkSize()) {
        return null;
      }
      size += h.chunkSize();
      from |= Arrays.equals(c.header(), first);
      if (from) {
        files.add(c.file());
      }
    }
    return size == recording.getSize() && !files.isEmpty() ? files : null;
  }

  /** The header of the first chunk JFR's stream from {@code from} returns; null for none. */
  private static byte[] firstHeader(jdk.jfr.Recording recording, Instant from) throws IOException {
    try (InputStream in = recording.getStream(from, null)) {
      byte[] header = in == null ? null : in.readNBytes(ChunkHeader.SIZE);
      return header == null || header.length < ChunkHeader.SIZE ? null : header;
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
