package io.github.livetrace.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import jdk.jfr.Recording;

/**
 * Reads the chunks of a stopped recording or snapshot in two passes: {@link #scan} finds the
 * finished chunks to send and checks what event types each holds, {@link #copy} then writes the
 * chunks that passed. Nothing reaches the output before the whole chunk was checked, which is
 * what "not one byte of a secret-bearing event is sent" needs, and memory stays at one buffer
 * whatever the chunk size (a second read comes from the page cache). Both passes read JFR's
 * repository files at disk speed where they match what JFR's stream returns ({@link ChunkFiles}),
 * and JFR's stream otherwise.
 *
 * <p>Which event types a chunk holds is only known from the chunk itself: JFR settings are the
 * union of all recordings, and a recording that starts and stops between two rotations leaves its
 * chunk-begin events (environment, properties, host processes) in a chunk of ours. The check
 * walks the chunk's records (each begins with its size and its type id) without decoding them;
 * event type ids are the JVM's own ({@code EventType.getId()}), so no metadata is needed.
 */
public final class ChunkReader {
  private final byte[] buffer = new byte[64 * 1024];
  private final boolean fromFiles;
  private int streamsFromFiles;
  private Recording filesOf; // the recording whose files were last looked for: a scan, then its copy
  private ChunkFiles files;

  /** A reader of JFR's repository files where they match JFR's stream. */
  public ChunkReader() {
    this(true);
  }

  /**
   * @param fromFiles false to read through {@link Recording#getStream} only: JDK 17's reads a byte
   *     at a time
   */
  public ChunkReader(boolean fromFiles) {
    this.fromFiles = fromFiles;
  }

  /** How many of the streams this reader opened came from JFR's repository files. */
  public int streamsFromFiles() {
    return streamsFromFiles;
  }

  /**
   * The chunks of {@code source} from about {@code fromNanos} on; callers choose by header. The
   * repository files are looked for once per recording. JFR's stream chooses by its own clock's
   * chunk times, which are not the headers': asked a second earlier, it holds every chunk the
   * headers say is wanted.
   */
  private InputStream open(Recording source, long fromNanos) throws IOException {
    if (fromFiles && source != filesOf) {
      filesOf = source;
      files = ChunkFiles.find(source);
    }
    if (fromFiles && files != null) {
      streamsFromFiles++;
      return files.open(fromNanos);
    }
    Instant from = Instant.ofEpochSecond(0, fromNanos).minusSeconds(1);
    return ChunkFiles.jfrStream(source, from.isBefore(Instant.EPOCH) ? Instant.EPOCH : from, null);
  }

  /** A chunk that passed {@link #scan}. */
  public record Chunk(ChunkHeader header) {}

  /** Thrown by {@link #scan} when a chunk holds refused event types; nothing was written. */
  public static final class RefusedEventsException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Map<String, Integer> found;

    RefusedEventsException(ChunkHeader chunk, Map<String, Integer> found) {
      super(
          "the chunk starting at "
              + Instant.ofEpochSecond(0, chunk.startNanos())
              + " holds events that carry secrets: "
              + found);
      this.found = found;
    }

    /** Event type name to the number of such events in the chunk. */
    public Map<String, Integer> found() {
      return found;
    }
  }

  /** Thrown by {@link #copy} when the output, not JFR, failed. */
  public static final class OutputException extends IOException {
    private static final long serialVersionUID = 1L;

    OutputException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** A finished chunk as {@link #survey} found it. */
  public record Surveyed(ChunkHeader header, Map<String, Integer> refused) {
    /** The chunk, to {@link #copy}; only when it holds none of the refused types. */
    public Chunk checked() {
      if (!refused.isEmpty()) {
        throw new IllegalStateException("the chunk holds refused event types: " + refused);
      }
      return new Chunk(header);
    }
  }

  /**
   * Every finished chunk of {@code source} that ends at or after {@code fromNanos} by its header
   * (so the first may begin before it), in order, each checked
   * whole: well-formed, and which of the {@code refused} types it holds. One pass over the bytes,
   * for a caller that chooses among the chunks by their headers and contents before it copies.
   *
   * @throws IOException when JFR returns something that is not a well-formed chunk
   */
  public List<Surveyed> survey(Recording source, long fromNanos, Map<Long, String> refused) throws IOException {
    List<Surveyed> chunks = new ArrayList<>();
    walk(source, fromNanos, (header, records) -> {
      if (header.isFinished() && header.endNanos() >= fromNanos) {
        chunks.add(new Surveyed(header, records.checkBody(header, refused)));
      } else {
        records.skip(header.chunkSize() - ChunkHeader.SIZE);
      }
    });
    return chunks;
  }

  /**
   * The finished chunks of {@code source} that start at or after {@code fromNanos}, in order,
   * each checked to be well-formed and free of the {@code refused} event types.
   *
   * @param refused event type id to name; empty to check structure only
   * @throws RefusedEventsException when a chunk holds a refused event type
   * @throws IOException when JFR returns something that is not a well-formed chunk
   */
  public List<Chunk> scan(Recording source, long fromNanos, Map<Long, String> refused) throws IOException {
    List<Chunk> chunks = new ArrayList<>();
    walk(source, fromNanos, (header, records) -> {
      if (header.startNanos() < fromNanos || !header.isFinished()) {
        // Older than wanted (the stream holds chunks that overlap the start, or all), or still being
        // written, which a rotation just before the snapshot rules out; either way not sent.
        records.skip(header.chunkSize() - ChunkHeader.SIZE);
        return;
      }
      Map<String, Integer> found = records.checkBody(header, refused);
      if (!found.isEmpty()) {
        throw new RefusedEventsException(header, found);
      }
      chunks.add(new Chunk(header));
    });
    return chunks;
  }

  /** Told of each chunk of a stream once its header is read; it checks or skips the body. */
  @FunctionalInterface
  private interface ChunkVisitor {
    void visit(ChunkHeader header, Records records) throws IOException;
  }

  /** The chunks from about {@code fromNanos} on, one after another. */
  private void walk(Recording source, long fromNanos, ChunkVisitor visitor) throws IOException {
    try (InputStream in = open(source, fromNanos)) {
      if (in == null) {
        return;
      }
      Records records = new Records(in, buffer, () -> false);
      ChunkHeader header;
      while ((header = records.nextHeader()) != null) {
        visitor.visit(header, records);
      }
    }
  }

  /**
   * Writes the given chunks of {@code source}, as {@link #scan} returned them, to {@code out},
   * flushing after each; {@code afterChunk} is told of each chunk written. Before each chunk it
   * asks {@code stopped} and ends there when told to, so that the output ends with a whole chunk
   * (each was checked whole before, so finishing one sends nothing unchecked). Before each write
   * it asks {@code cancelled} and stops at once when told to, cutting the chunk: a write that was
   * stuck past a deadline must not be followed by more.
   *
   * @throws OutputException when writing to {@code out} failed
   * @throws IOException when reading from JFR failed, a chunk is gone, or the copy was stopped or
   *     cancelled
   */
  public void copy(
      Recording source,
      List<Chunk> chunks,
      OutputStream out,
      ChunkListener afterChunk,
      BooleanSupplier stopped,
      BooleanSupplier cancelled)
      throws IOException {
    if (chunks.isEmpty()) {
      return;
    }
    long first = chunks.get(0).header().startNanos();
    try (InputStream in = open(source, first)) {
      if (in == null) {
        throw new IOException("JFR no longer has the chunks to send");
      }
      Records records = new Records(in, buffer, cancelled);
      int next = 0;
      ChunkHeader header;
      while (next < chunks.size() && (header = records.nextHeader()) != null) {
        ChunkHeader wanted = chunks.get(next).header();
        if (header.startNanos() != wanted.startNanos()) {
          records.skip(header.chunkSize() - ChunkHeader.SIZE);
          continue;
        }
        if (header.chunkSize() != wanted.chunkSize()) {
          throw new IOException("a chunk changed between its check and its copy");
        }
        if (stopped.getAsBoolean()) {
          throw new IOException("the copy was stopped");
        }
        records.copyChunk(header, out);
        next++;
        afterChunk.written(header);
      }
      if (next < chunks.size()) {
        throw new IOException("JFR no longer has " + (chunks.size() - next) + " of the chunks to send");
      }
    }
  }

  /** Told of each chunk {@link #copy} has written and flushed. */
  @FunctionalInterface
  public interface ChunkListener {
    void written(ChunkHeader chunk) throws IOException;
  }

  /** A buffered cursor over a stream of chunks. */
  private static final class Records {
    private final InputStream in;
    private final byte[] buf;
    private final BooleanSupplier cancelled;
    private int pos;
    private int limit;
    private long consumed; // bytes of the stream before buf[0]

    Records(InputStream in, byte[] buf, BooleanSupplier cancelled) {
      this.in = in;
      this.buf = buf;
      this.cancelled = cancelled;
    }

    private long offset() {
      return consumed + pos;
    }

    /** Ensures {@code n <= buf.length} bytes are buffered; false at the end of the stream. */
    private boolean fill(int n) throws IOException {
      if (limit - pos >= n) {
        return true;
      }
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      consumed += pos;
      limit -= pos;
      pos = 0;
      while (limit < n) {
        int r = in.read(buf, limit, buf.length - limit);
        if (r < 0) {
          return false;
        }
        limit += r;
      }
      return true;
    }

    ChunkHeader nextHeader() throws IOException {
      if (!fill(1)) {
        return null;
      }
      if (!fill(ChunkHeader.SIZE)) {
        throw new IOException("JFR returned a chunk header cut short");
      }
      ChunkHeader header =
          ChunkHeader.parse(buf, pos)
              .filter(ChunkHeader::isPlausible)
              .orElseThrow(() -> new IOException("JFR returned bytes that are not a chunk"));
      pos += ChunkHeader.SIZE;
      return header;
    }

    void skip(long n) throws IOException {
      long buffered = Math.min(n, limit - pos);
      pos += (int) buffered;
      long left = n - buffered;
      while (left > 0) {
        long s = in.skip(left);
        if (s <= 0) {
          if (in.read() < 0) {
            throw new IOException("JFR chunk ended " + left + " bytes early");
          }
          s = 1;
        }
        left -= s;
        consumed += s;
      }
    }

    /**
     * Walks the records of a chunk body, whose header was just read, checking that they tile the
     * chunk exactly, and counts the records of refused types.
     */
    Map<String, Integer> checkBody(ChunkHeader header, Map<Long, String> refused) throws IOException {
      Map<String, Integer> found = new TreeMap<>();
      // A few ids, looked up for every record: in an array, since a Long key would box each.
      long[] refusedIds = new long[refused.size()];
      String[] refusedNames = new String[refused.size()];
      int k = 0;
      for (Map.Entry<Long, String> e : refused.entrySet()) {
        refusedIds[k] = e.getKey();
        refusedNames[k++] = e.getValue();
      }
      boolean compressed = (header.flags() & 1) != 0;
      long end = offset() - ChunkHeader.SIZE + header.chunkSize();
      while (offset() < end) {
        long recordStart = offset();
        if (!fill((int) Math.min(18, end - recordStart))) {
          throw new IOException("JFR chunk ended early");
        }
        long size = compressed ? readVarLong() : readInt();
        long type = compressed ? readVarLong() : readLong();
        if (size <= 0 || recordStart + size > end || offset() > recordStart + size) {
          throw new IOException("malformed record at chunk offset " + (recordStart - end + header.chunkSize()));
        }
        for (int i = 0; i < refusedIds.length; i++) {
          if (refusedIds[i] == type) {
            found.merge(refusedNames[i], 1, Integer::sum);
          }
        }
        skip(recordStart + size - offset());
      }
      return found;
    }

    void copyChunk(ChunkHeader header, OutputStream out) throws IOException {
      // The header was consumed from the buffer; it is still there, just before pos.
      write(out, buf, pos - ChunkHeader.SIZE, ChunkHeader.SIZE);
      long left = header.chunkSize() - ChunkHeader.SIZE;
      while (left > 0) {
        if (pos == limit && !fill(1)) {
          throw new IOException("JFR chunk ended " + left + " bytes early");
        }
        int n = (int) Math.min(left, limit - pos);
        write(out, buf, pos, n);
        pos += n;
        left -= n;
      }
      if (cancelled.getAsBoolean()) {
        throw new IOException("the copy was cancelled");
      }
      try {
        out.flush();
      } catch (IOException e) {
        throw new OutputException(e);
      }
    }

    private void write(OutputStream out, byte[] b, int off, int len) throws IOException {
      if (cancelled.getAsBoolean()) {
        throw new IOException("the copy was cancelled");
      }
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw new OutputException(e);
      }
    }

    private long readVarLong() throws IOException {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        int b = buf[pos++] & 0xFF;
        value |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      return value | ((long) (buf[pos++] & 0xFF) << 56);
    }

    private long readInt() {
      long v = ((buf[pos] & 0xFFL) << 24) | ((buf[pos + 1] & 0xFFL) << 16) | ((buf[pos + 2] & 0xFFL) << 8) | (buf[pos + 3] & 0xFFL);
      pos += 4;
      return v;
    }

    private long readLong() {
      long hi = readInt();
      return (hi << 32) | readInt();
    }
  }
}
