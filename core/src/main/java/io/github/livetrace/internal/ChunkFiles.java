package io.github.livetrace.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
 * are the same bytes the stream would return, read at disk speed on every JDK.
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
  private static final Map<Path, ChunkHeader> FINISHED = new ConcurrentHashMap<>();

  /** A chunk of the recording and the file that holds it. */
  private record Chunk(Path file, ChunkHeader header) {}

  private final List<Chunk> chunks;

  private ChunkFiles(List<Chunk> chunks) {
    this.chunks = chunks;
  }

  /**
   * The repository files of the stopped {@code recording}'s chunks, found once for all the reads
   * of that recording (it no longer changes); null when they cannot be trusted, and then {@link
   * #jfrStream} is the way to its chunks.
   */
  static ChunkFiles find(jdk.jfr.Recording recording) {
    try {
      List<Chunk> chunks = chunks(recording);
      return chunks == null ? null : new ChunkFiles(chunks);
    } catch (IOException | RuntimeException e) {
      return null; // the repository is not what JFR reads from; its stream is
    }
  }

  /**
   * The chunks whose headers say they end at or after {@code fromNanos}, oldest first: a long
   * recording's older chunks are not even opened. Callers choose among them by header.
   */
  InputStream open(long fromNanos) {
    List<Path> files = new ArrayList<>(chunks.size());
    for (Chunk c : chunks) {
      if (c.header().endNanos() >= fromNanos) {
        files.add(c.file());
      }
    }
    return new FileChunks(files);
  }

  /**
   * JFR's stream of the recording's chunks in the time range ({@link
   * jdk.jfr.Recording#getStream}), releasing them all when closed; null when it has none.
   */
  static InputStream jfrStream(jdk.jfr.Recording recording, Instant from, Instant to) throws IOException {
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

  /** The recording's chunks in its repository, oldest first; null when they cannot be trusted. */
  private static List<Chunk> chunks(jdk.jfr.Recording recording) throws IOException {
    String repository = System.getProperty(REPOSITORY_PROPERTY);
    Instant start = recording.getStartTime();
    Instant stop = recording.getStopTime();
    if (repository == null || start == null || stop == null) {
      return null;
    }
    ChunkHeader oldest = onlyChunkHeader(recording, null, start);
    ChunkHeader newest = onlyChunkHeader(recording, stop, null);
    if (oldest == null || newest == null) {
      return null;
    }
    List<Chunk> held = new ArrayList<>();
    Set<Path> listed = new HashSet<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of(repository), "*.jfr")) {
      for (Path file : dir) {
        listed.add(file);
        ChunkHeader header = FINISHED.get(file);
        if (header == null) {
          header = header(file);
          if (header == null) {
            continue; // a file JFR has only just created; the chunk being written has its header
          }
          if (header.isFinished()) {
            FINISHED.put(file, header);
          }
        }
        if (header.startNanos() >= oldest.startNanos() && header.startNanos() <= newest.startNanos()) {
          held.add(new Chunk(file, header));
        }
      }
    }
    FINISHED.keySet().retainAll(listed);
    held.sort(Comparator.comparingLong(c -> c.header().startNanos()));
    if (held.isEmpty() || !held.get(0).header().equals(oldest) || !held.get(held.size() - 1).header().equals(newest)) {
      return null;
    }
    // The recording's size is the sum of its chunks' sizes: equal sums mean no chunk is missing
    // between the oldest and the newest, and none is there that the recording does not hold.
    long size = 0;
    for (Chunk c : held) {
      ChunkHeader h = c.header();
      if (!h.isFinished() || !h.isPlausible() || Files.size(c.file()) != h.chunkSize()) {
        return null;
      }
      size += h.chunkSize();
    }
    return size == recording.getSize() ? held : null;
  }

  /**
   * The header of the one chunk JFR's stream of the time range holds; null when it holds none or
   * more than one (the recording's start and stop times are its oldest chunk's start and newest
   * chunk's end, so each end of it is one chunk).
   */
  private static ChunkHeader onlyChunkHeader(jdk.jfr.Recording recording, Instant from, Instant to) throws IOException {
    try (InputStream in = jfrStream(recording, from, to)) {
      if (in == null) {
        return null;
      }
      ChunkHeader h = ChunkHeader.parse(in.readNBytes(ChunkHeader.SIZE), 0).orElse(null);
      return h != null && in.available() <= h.chunkSize() - ChunkHeader.SIZE ? h : null;
    }
  }

  /** The header at the start of {@code file}; null when it is not (yet) a chunk's. */
  private static ChunkHeader header(Path file) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      byte[] b = new byte[ChunkHeader.SIZE];
      int n = 0;
      for (int r; n < b.length && (r = in.read(b, n, b.length - n)) > 0; ) {
        n += r; // a chunk's header is written before its first event
      }
      return n < b.length ? null : ChunkHeader.parse(b, 0).orElse(null);
    }
  }

  /**
   * Chunk files one after another, read and skipped at disk speed. Through {@link
   * RandomAccessFile}, not a {@link java.nio.channels.FileChannel}: an interrupt closes a channel,
   * and the writer thread that reads here is interrupted when a trace fails, which must not cut the
   * chunk it is finishing.
   */
  private static final class FileChunks extends InputStream {
    private final List<Path> files;
    private int next;
    private RandomAccessFile current;

    FileChunks(List<Path> files) {
      this.files = files;
    }

    /** The file to read from; null at the end of the last one. */
    private RandomAccessFile file() throws IOException {
      while (current == null || current.getFilePointer() >= current.length()) {
        if (current != null) {
          current.close();
          current = null;
        }
        if (next == files.size()) {
          return null;
        }
        current = new RandomAccessFile(files.get(next++).toFile(), "r");
      }
      return current;
    }

    @Override
    public int read() throws IOException {
      RandomAccessFile file = file();
      return file == null ? -1 : file.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      RandomAccessFile file = file();
      return file == null ? -1 : file.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
      RandomAccessFile file = file();
      if (file == null || n <= 0) {
        return 0;
      }
      long skipped = Math.min(n, file.length() - file.getFilePointer());
      file.seek(file.getFilePointer() + skipped);
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
