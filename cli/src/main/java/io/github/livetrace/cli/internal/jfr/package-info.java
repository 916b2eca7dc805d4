/**
 * A streaming decoder of JFR files, for analyses that need a few fields of some event types and
 * a count of everything: every command reads with it, several times faster than with {@code
 * jdk.jfr.consumer.RecordingFile}, which builds every field of every event, and file by file
 * where {@code RecordingFile} fails: chunks of two JDKs in one file, chunks out of time order.
 *
 * <h2>The format, as this decoder reads it</h2>
 *
 * A file is a sequence of self-contained chunks, each a 68-byte header (core's {@link
 * io.github.livetrace.internal.ChunkHeader}) and records. A record is a varint size (of the whole
 * record), a varint type id and a payload. Type id 0 is the chunk's metadata event, whose offset
 * the header gives: a string table and a tree of elements that declare every type of the chunk,
 * its id and its fields in the order they are written ({@link
 * io.github.livetrace.cli.internal.jfr.MetadataReader}). Type id 1 is a checkpoint, holding
 * constant pools: the header gives the offset of the last one, and each points to the one before
 * ({@link io.github.livetrace.cli.internal.jfr.ConstantPools}). Any other type id is an event of
 * a type the metadata declares with the super type {@code jdk.jfr.Event}.
 *
 * <p>An event's payload is its fields in declaration order; the implicit ones ({@code startTime},
 * {@code duration} for events that have one, {@code eventThread}, {@code stackTrace} for types that
 * can record one) come first. Integers are varints ({@link
 * io.github.livetrace.cli.internal.jfr.RecordCursor}), strings are inline in one of three encodings
 * or a key into the chunk's string pool, and fields of pooled types (threads, stack traces,
 * classes...) are keys into the chunk's pool of that type. Times are ticks, converted with a
 * chunk header's tick frequency and start times, one pair per JVM clock ({@link
 * io.github.livetrace.cli.internal.jfr.TimeBase}). Values of other pooled types (stack traces,
 * frames, methods, classes, GC names) are decoded only for handlers that ask for them, when
 * first used ({@link io.github.livetrace.cli.internal.jfr.JfrObject}).
 *
 * <p>Nothing is hard-coded beyond the record framing and the names of the implicit fields and of
 * {@code java.lang.Thread} and {@code java.lang.String}: JDKs differ in type ids, in fields, and in
 * the order of fields, and each chunk's metadata says which. OpenJDK's {@code
 * jdk.jfr.internal.consumer} and HotSpot's chunk writer are the reference for the format.
 *
 * <h2>How it decodes</h2>
 *
 * <ul>
 *   <li>{@link io.github.livetrace.cli.internal.jfr.JfrDecoder}: the entry point; decodes the
 *       chunks in time order, or on several threads at once.
 *   <li>{@link io.github.livetrace.cli.internal.jfr.ChunkDecoder}: one chunk: metadata (read
 *       again unless it is the chunk before's, byte for byte), pools, then the records, through a {@link
 *       io.github.livetrace.cli.internal.jfr.FileWindow} of the file: memory is a window, a
 *       chunk's metadata and pools, and never the file or the chunk.
 *   <li>{@link io.github.livetrace.cli.internal.jfr.EventLayout}: per event type, the operations
 *       that decode the fields a {@link io.github.livetrace.cli.internal.jfr.JfrEventHandler}
 *       selected, and step over the others up to the last one needed.
 *   <li>{@link io.github.livetrace.cli.internal.jfr.EventBatch}: decoded events, handed to the
 *       handler a thousand at a time through {@link io.github.livetrace.cli.internal.jfr.JfrEvent}.
 *   <li>{@link io.github.livetrace.cli.internal.jfr.ValueSkipper}, {@link
 *       io.github.livetrace.cli.internal.jfr.StringCache}, {@link
 *       io.github.livetrace.cli.internal.jfr.StringPool}, {@link
 *       io.github.livetrace.cli.internal.jfr.LongMap}: stepping over values of any type, strings
 *       read once per text, the string pool decoded on demand, and maps without boxing.
 * </ul>
 *
 * <p>A trace is read in about a second, most of which the JIT compiler spends getting the
 * decoding loop compiled. Hot code is kept small, and free of tests whose outcome depends on the
 * data in ways the compiler would only see late: such a test, compiled for one outcome, throws
 * the loop's compiled code away the first time it goes the other way. That is why some code here
 * computes with tables and {@code Math.max} where a test would read more naturally.
 *
 * <p>Damaged input is a {@link io.github.livetrace.cli.internal.jfr.JfrFormatException} that names
 * the chunk, the offset and what is wrong; every count and size is checked against the bytes that
 * remain, so that damage cannot make the decoder allocate or loop without bound.
 */
package io.github.livetrace.cli.internal.jfr;
