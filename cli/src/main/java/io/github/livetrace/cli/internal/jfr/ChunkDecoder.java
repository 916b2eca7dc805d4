package io.github.livetrace.cli.internal.jfr;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.BooleanSupplier;

/**
 * Decodes whole chunks for a handler, on one thread: what each of {@link JfrDecoder}'s threads
 * owns. It keeps a window of the file, and the metadata and event layouts of the chunk before,
 * reused while the metadata does not change.
 *
 * <p>Per chunk: the header (already checked for completeness by the caller); the metadata event,
 * which declares the types; the constant pools ({@link ConstantPools}); then the records from
 * the end of the header to the end of the chunk, each a varint size, a varint type id and the
 * payload. Records of type 0 (metadata) and 1 (constant pools) are passed over, as are records of
 * types the metadata does not declare as events, which {@code RecordingFile} does not return
 * either.
 */
final class ChunkDecoder {
  private static final int COMPRESSED_INTEGERS = 1;
  private static final long METADATA_TYPE_ID = 0;
  /** A record's size and type id: two varints. */
  private static final int RECORD_HEADER_BYTES = 2 * RecordCursor.MAX_VARINT_BYTES;
  /** Records must fit an array, with room to spare. */
  private static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  private final FileWindow window;
  private final RecordCursor in = new RecordCursor();
  private final StringCache strings = new StringCache();
  private final EventBatch batch = new EventBatch();
  private final long[] leading = new long[EventLayout.NONE + 1];
  private final JfrEvent event;
  private final BooleanSupplier cancelled;

  private Metadata metadata;
  private byte[] metadataBytes; // the metadata read last, from its id on
  private EventLayouts layouts; // of every event type of the metadata, for the handler

  // The state of the record loop, in fields so that a record is decoded by a method of its own:
  // called once per record, it is compiled early and on its own, rather than as part of the loop.
  private ConstantPools pools;
  private JfrEventHandler handler;
  private long chunkEnd;
  private long windowStart; // the file position of the window's first byte
  private int usable; // the window's bytes that lie in the chunk
  private int needed; // bytes the window must hold for the next record
  private long events;

  /**
   * @param cancelled checked as the window moves on: true stops the decoding
   * @param earlier finds stack traces that an event's chunk lacks; null to look no further
   */
  ChunkDecoder(FileChannel channel, long fileSize, BooleanSupplier cancelled, EarlierStackTraces earlier) {
    this.window = new FileWindow(channel, fileSize, FileWindow.DEFAULT_CAPACITY);
    this.event = new JfrEvent(batch);
    this.cancelled = cancelled;
    batch.earlier = earlier;
  }

  /**
   * Hands the events of one chunk to {@code handler}. Layouts are kept from chunk to chunk, so
   * every handler given to one decoder must select the same fields.
   *
   * @param chunk the chunk's index in the file
   * @param time converts the chunk's ticks
   * @return the number of events
   */
  long decode(int chunk, long chunkStart, ChunkHeader header, TimeBase time, JfrEventHandler handler)
      throws IOException, JfrFormatException {
    if (batch.earlier != null) {
      batch.earlier.decoding(chunk);
    }
    if (header.major() != 2) {
      throw new JfrFormatException("JFR format version " + header.major() + "." + header.minor()
          + "; this reader knows version 2 (JDK 11 and later)");
    }
    if ((header.flags() & COMPRESSED_INTEGERS) == 0) {
      throw new JfrFormatException("the chunk header says its integers are not compressed, which no JDK since"
          + " JDK 11 writes and this reader does not read");
    }
    if (readMetadata(chunkStart, header) || layouts == null) {
      layouts = layouts(handler);
    }
    ConstantPools pools = ConstantPools.read(window, in, chunkStart, header, metadata, layouts.resolvesValues());
    batch.time = time;
    return decodeEvents(chunkStart, header, pools, handler);
  }

  /** The chunk's constant pools alone, read with its metadata: for {@link EarlierStackTraces}. */
  ConstantPools pools(long chunkStart, ChunkHeader header, boolean resolvable) throws IOException, JfrFormatException {
    readMetadata(chunkStart, header);
    return ConstantPools.read(window, in, chunkStart, header, metadata, resolvable);
  }

  /** The types the chunk declares in its metadata, which is all that is read of it. */
  Collection<JfrType> types(long chunkStart, ChunkHeader header) throws IOException, JfrFormatException {
    readMetadata(chunkStart, header);
    return metadata.types();
  }

  /**
   * Puts the record at {@code position} wholly into the window, after checking its size against
   * the chunk, and points {@code in} at its first byte, the size; returns the record's offset in
   * the window. For the records the header points to: the metadata and the constant pools.
   */
  static int openRecord(FileWindow window, RecordCursor in, long position, long chunkEnd, String what)
      throws IOException, JfrFormatException {
    long left = chunkEnd - position;
    int at = window.at(position, (int) Math.min(left, RecordCursor.MAX_VARINT_BYTES));
    in.reset(window.bytes(), at, (int) Math.min(window.length(), at + left));
    long size = in.readLong();
    if (size <= 0 || size > left || size > MAX_RECORD_BYTES) {
      throw new JfrFormatException("the " + what + " at offset " + position + " has a size of " + size
          + " with " + left + " bytes left in the chunk");
    }
    at = window.at(position, (int) size);
    in.reset(window.bytes(), at, at + (int) size);
    return at;
  }

  /**
   * Reads the chunk's metadata unless it is the same, byte for byte, as the chunk before's;
   * returns whether it was read. Ids and sizes are not enough: two JVMs, of the same JDK or not,
   * number their metadata alike, and a file can hold chunks of both. What is compared is the
   * metadata itself, from its id on: the event's start time and duration differ from chunk to
   * chunk.
   */
  private boolean readMetadata(long chunkStart, ChunkHeader header) throws IOException, JfrFormatException {
    long position = chunkStart + header.metadataOffset();
    int at = openRecord(window, in, position, chunkStart + header.chunkSize(), "metadata event");
    int end = at + (int) in.readLong();
    long typeId = in.readLong();
    if (typeId != METADATA_TYPE_ID) {
      throw new JfrFormatException("expected the metadata event (type id 0) at offset " + position
          + ", found type id " + typeId);
    }
    in.readLong(); // start time
    in.readLong(); // duration
    int body = in.position();
    if (metadata != null && Arrays.equals(metadataBytes, 0, metadataBytes.length, window.bytes(), body, end)) {
      return false;
    }
    long id = in.readLong();
    try {
      metadata = MetadataReader.read(in, id);
    } catch (JfrFormatException e) {
      metadata = null;
      throw new JfrFormatException("the metadata event at offset " + position + ": " + e.getMessage());
    }
    metadataBytes = Arrays.copyOfRange(window.bytes(), body, end);
    return true;
  }

  /**
   * The layouts of all event types of the metadata, made before the first event: made on the way,
   * the first event of each type would take a path the JIT compiler had not seen, costing a
   * recompilation of the decoding loop.
   */
  private EventLayouts layouts(JfrEventHandler handler) {
    EventLayouts all = new EventLayouts();
    int widest = 0;
    for (JfrType type : metadata.types()) {
      if (type.isEvent()) {
        EventLayout layout = EventLayout.of(type, handler.select(type));
        all.put(type.id(), layout);
        widest = Math.max(widest, layout.slotCount);
      }
    }
    batch.widen(widest); // the batch is empty between chunks
    return all;
  }

  /**
   * The records from the end of the chunk header to the end of the chunk. The inner loop takes the
   * records that lie wholly in the window; at its edge, the outer loop moves the window on.
   */
  private long decodeEvents(long chunkStart, ChunkHeader header, ConstantPools pools, JfrEventHandler handler)
      throws IOException, JfrFormatException {
    this.pools = pools;
    this.handler = handler;
    batch.pools = pools;
    chunkEnd = chunkStart + header.chunkSize();
    events = 0;
    needed = RECORD_HEADER_BYTES;
    long position = chunkStart + ChunkHeader.SIZE;
    while (position < chunkEnd) {
      if (cancelled.getAsBoolean()) {
        throw new InterruptedIOException("decoding cancelled");
      }
      int at = window.at(position, (int) Math.min(needed, chunkEnd - position));
      byte[] bytes = window.bytes();
      windowStart = position - at;
      usable = (int) Math.min(window.length(), chunkEnd - windowStart);
      // Past this index, the next size and type id may lie beyond the window.
      int lastHeaderStart = windowStart + usable == chunkEnd ? usable : usable - RECORD_HEADER_BYTES;
      needed = RECORD_HEADER_BYTES;
      int p = at;
      while (p < usable && p <= lastHeaderStart) {
        int end = decodeRecord(bytes, p);
        if (end < 0) {
          break;
        }
        p = end;
      }
      position = windowStart + p;
    }
    deliver();
    this.pools = null;
    this.handler = null;
    batch.pools = null;
    return events;
  }

  /** Hands the decoded events to the handler: a loop of its own, see {@link EventBatch}. */
  private void deliver() throws IOException {
    JfrEvent event = this.event;
    JfrEventHandler handler = this.handler;
    for (int i = 0, size = batch.size; i < size; i++) {
      event.index = i;
      handler.event(event);
    }
    batch.clear();
  }

  /**
   * Decodes the record at {@code bytes[p]} and hands it over if it is an event; returns where it
   * ends, or -1 when it ends past the window, having set {@link #needed} to its size.
   */
  private int decodeRecord(byte[] bytes, int p) throws IOException, JfrFormatException {
    RecordCursor in = this.in;
    in.reset(bytes, p, usable);
    long size = in.readLong();
    if (size <= 0 || size > chunkEnd - (windowStart + p) || size > MAX_RECORD_BYTES) {
      throw badSize(p, size);
    }
    if (size > usable - p) {
      needed = (int) size;
      return -1;
    }
    int end = p + (int) size;
    in.limit(end);
    EventLayout layout = layouts.get(in.readLong()); // null for metadata, pools and unknown types
    if (layout != null) {
      try {
        layout.decode(in, batch, leading, pools, strings);
      } catch (JfrFormatException e) {
        throw inEvent(layout, p, e);
      }
      events++;
      if (batch.isFull()) {
        deliver();
      }
    }
    return end;
  }

  private JfrFormatException badSize(int p, long size) {
    long position = windowStart + p;
    return new JfrFormatException("the record at offset " + position + " has a size of " + size + " with "
        + (chunkEnd - position) + " bytes left in the chunk");
  }

  private JfrFormatException inEvent(EventLayout layout, int p, JfrFormatException e) {
    return new JfrFormatException("the " + layout.type.name() + " event at offset " + (windowStart + p) + ": "
        + e.getMessage());
  }
}
