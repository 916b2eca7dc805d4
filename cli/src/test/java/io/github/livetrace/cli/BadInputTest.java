package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every command turns bad files and bad usage into one line and exit status 2. */
class BadInputTest {
  @TempDir static Path dir;

  static Stream<String> commands() {
    return Stream.of("summary", "tasks", "export", "repair", "view");
  }

  private static Cli.Run run(String command, Path trace) {
    List<String> args = new ArrayList<>(List.of(command, trace.toString()));
    if (command.equals("export") || command.equals("repair")) {
      args.addAll(List.of("-o", dir.resolve(command + "-out").toString()));
    }
    if (command.equals("view")) {
      args.add("--no-browser");
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void emptyFile(String command) throws Exception {
    Path empty = Files.write(dir.resolve("empty.jfr"), new byte[0]);
    String line = run(command, empty).badInput();
    assertTrue(line.contains(empty.toString()) && line.contains("empty file"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void notJfr(String command) throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "this is not a trace\n".repeat(20), StandardCharsets.UTF_8);
    String line = run(command, text).badInput();
    assertTrue(line.contains(text.toString()) && line.contains("not a JFR trace"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void directory(String command) throws Exception {
    if (command.equals("repair")) { // one file, always
      String line = run(command, dir).badInput();
      assertTrue(line.contains(dir.toString()) && line.contains("is a directory"), line);
      return;
    }
    // summary, tasks, export and view read the .jfr files of a directory (a pull's): each must read.
    Path pulled = Files.createDirectories(dir.resolve("pulled-" + command));
    Files.writeString(pulled.resolve("notes.txt"), "not a trace, passed over");
    String none = run(command, pulled).badInput();
    assertTrue(none.contains(pulled.toString()) && none.contains("a directory without .jfr files"), none);
    Path empty = Files.write(pulled.resolve("shop_a_20261205T000000Z.jfr"), new byte[0]);
    String line = run(command, pulled).badInput();
    assertTrue(line.contains(empty.toString()) && line.contains("empty file"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void missingFile(String command) {
    Path missing = dir.resolve("missing.jfr");
    String line = run(command, missing).badInput();
    assertTrue(line.contains(missing.toString()) && line.contains("no such file"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void truncatedFileSendsToRepair(String command) throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults(), () -> Trace.log("a", "b"));
    Path truncated = Files.write(dir.resolve("truncated.jfr"), Arrays.copyOf(trace, trace.length - 10));
    if (command.equals("repair")) {
      String line = run(command, truncated).badInput(); // a single chunk, cut: nothing to keep
      assertTrue(line.contains(truncated.toString()) && line.contains("no complete chunk"), line);
    } else {
      String line = run(command, truncated).badInput();
      assertTrue(line.contains(truncated.toString()) && line.contains("truncated"), line);
      assertTrue(line.contains("no complete chunk") || line.contains("repair"), line);
    }
  }

  @Test
  void truncatedMultiChunkFileNamesTheRepairCommand() throws Exception {
    Path trace = TraceFiles.write(Recordings.recordChunks(
        TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)),
        2,
        () -> Trace.withRegion("r", () -> Recordings.work(60))));
    byte[] bytes = Files.readAllBytes(trace);
    Path truncated = Files.write(dir.resolve("cut.jfr"), Arrays.copyOf(bytes, bytes.length - 10));
    for (String command : List.of("summary", "tasks", "export", "view")) {
      String line = run(command, truncated).badInput();
      assertTrue(line.contains("run 'livetrace repair " + truncated), line);
    }
  }

  /** A trace of several chunks whose bytes the damage tests change. */
  private static byte[] severalChunks() throws Exception {
    return Recordings.recordChunks(
        TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)),
        2,
        () -> {
          Trace.withRegion("r", () -> Recordings.work(60));
          Trace.log("tick", "tock");
        });
  }

  private static Path damaged(String name, byte[] trace) throws Exception {
    return Files.write(dir.resolve(name), trace);
  }

  /** Where the varint at {@code at} ends. */
  private static int afterVarint(byte[] bytes, int at) {
    int p = at;
    while (bytes[p] < 0) {
      p++;
    }
    return p + 1;
  }

  private static long varint(byte[] bytes, int at) {
    long value = 0;
    for (int p = at, shift = 0; ; p++, shift += 7) {
      value |= (bytes[p] & 0x7FL) << shift;
      if (bytes[p] >= 0) {
        return value;
      }
    }
  }

  /** The offset of the first record of the first chunk that is an event, not metadata or pools. */
  private static int firstEvent(byte[] trace) {
    int p = ChunkHeader.SIZE;
    while (varint(trace, afterVarint(trace, p)) <= 1) {
      p += (int) varint(trace, p);
    }
    return p;
  }

  /** The offset of the second chunk's header. */
  private static int secondChunk(byte[] trace) {
    return (int) TraceFiles.chunks(trace).get(0).chunkSize();
  }

  @Test
  void aBrokenStringTableInTheMetadataIsDamage() throws Exception {
    byte[] trace = severalChunks();
    int chunk = secondChunk(trace);
    ChunkHeader header = TraceFiles.chunks(trace).get(1);
    int p = chunk + (int) header.metadataOffset();
    for (int i = 0; i < 4; i++) { // size, type id, start time, duration
      p = afterVarint(trace, p);
    }
    // A decoder thread reuses the metadata of the chunk it decoded before when id and size are the
    // same, as the JVM gives metadata a new id whenever it changes. A new id (same varint length)
    // makes sure the damaged table is read, whichever thread decodes this chunk.
    trace[p] ^= 1;
    p = afterVarint(trace, p);
    int end = afterVarint(trace, p); // the number of strings: claim as many as the varint can say
    for (int i = p; i < end - 1; i++) {
      trace[i] = (byte) 0xFF;
    }
    trace[end - 1] = 0x7F;
    Path file = damaged("bad-metadata.jfr", trace);
    String line = Cli.run("summary", file.toString()).badInput();
    assertTrue(line.contains(file.toString()) && line.contains("damaged JFR data"), line);
    assertTrue(line.contains("chunk 2 of ") && line.contains("metadata"), line);
  }

  @Test
  void aMetadataOffsetThatPointsElsewhereIsDamage() throws Exception {
    byte[] trace = severalChunks();
    ByteBuffer.wrap(trace).putLong(24, ChunkHeader.SIZE); // the first event, not the metadata
    Path file = damaged("metadata-offset.jfr", trace);
    String line = Cli.run("summary", file.toString()).badInput();
    assertTrue(line.contains("chunk 1 of ") && line.contains("expected the metadata event (type id 0)"), line);
  }

  @Test
  void aConstantPoolOffsetThatPointsElsewhereIsDamage() throws Exception {
    byte[] trace = severalChunks();
    ByteBuffer.wrap(trace).putLong(16, firstEvent(trace));
    Path file = damaged("pool-offset.jfr", trace);
    String line = Cli.run("summary", file.toString()).badInput();
    assertTrue(line.contains("expected a constant pool event (type id 1)"), line);
  }

  @Test
  void aRecordOfSizeZeroIsDamage() throws Exception {
    byte[] trace = severalChunks();
    int event = firstEvent(trace);
    int end = afterVarint(trace, event);
    for (int i = event; i < end - 1; i++) {
      trace[i] = (byte) 0x80; // a varint of the same length that says 0
    }
    trace[end - 1] = 0;
    Path file = damaged("zero-size.jfr", trace);
    String line = Cli.run("summary", file.toString()).badInput();
    assertTrue(line.contains("the record at offset " + event + " has a size of 0"), line);
  }

  @Test
  void uncompressedIntegersAreRefused() throws Exception {
    byte[] trace = severalChunks();
    int chunk = secondChunk(trace);
    trace[chunk + 67] &= ~1; // flag bit 0: compressed integers
    Path file = damaged("uncompressed.jfr", trace);
    String line = Cli.run("summary", file.toString()).badInput();
    assertTrue(line.contains("chunk 2 of ") && line.contains("integers are not compressed"), line);
  }

  @Test
  void badUsageExitsWithTwo() {
    assertTrue(Cli.run("summary", "--bogus", "x.jfr").badInput().contains("--bogus"));
    assertTrue(Cli.run("tasks", "x.jfr", "--min", "5parsecs").badInput().contains("5parsecs"));
    assertTrue(Cli.run("tasks", "x.jfr", "--limit", "0").badInput().contains("--limit"));
    assertTrue(Cli.run("export", "x.jfr").badInput().contains("--output"));
    assertTrue(Cli.run("summary").badInput().contains("TRACE"));
    assertTrue(Cli.run("summary", "--format", "xml", "x.jfr").badInput().contains("xml"));
    assertTrue(Cli.run().badInput().contains("missing command"));
    assertTrue(Cli.run("export", "x.jfr", "-o", "y.json", "--from", "2s", "--to", "1s").badInput()
        .contains("--from 2s is after --to 1s"));
    assertTrue(Cli.run("export", "x.jfr", "-o", "y.json", "--task", "7", "--to", "1s").badInput()
        .contains("--task exports the task's own span"));
  }

  @Test
  void anUnknownCommandIsNamedAndTheCommandsListed() {
    String line = Cli.run("frobnicate", "trace.jfr").badInput();
    assertTrue(line.contains("'frobnicate' is not a command; the commands are summary, tasks, export, repair, pprof, pull, view, help"), line);
    assertTrue(Cli.run("--frobnicate").badInput().contains("Unknown option: '--frobnicate'"));
  }

  @Test
  void windowsAndTasksThatTheTraceDoesNotHaveAreBadInput() throws Exception {
    Path trace = TraceFiles.write(Recordings.record(TraceOptions.defaults(), () -> Trace.log("a", "b")));
    Path out = dir.resolve("window.json");
    String late = Cli.run("export", trace.toString(), "-o", out.toString(), "--from", "1h").badInput();
    assertTrue(late.contains("--from 1h0m0s is past the end of the trace, which lasts"), late);
    String missing = Cli.run("export", trace.toString(), "-o", out.toString(), "--task", "123456789").badInput();
    assertTrue(missing.contains(trace + ": has no begin or end of task 123456789"), missing);
    assertTrue(Files.notExists(out), "nothing written");
  }

  @Test
  void dashIsNoOutputFile() throws Exception {
    Path trace = TraceFiles.write(Recordings.record(TraceOptions.defaults(), () -> Trace.log("a", "b")));
    for (String command : List.of("export", "repair", "pprof")) {
      List<String> args = new ArrayList<>(List.of(command, trace.toString(), "-o", "-"));
      if (command.equals("pprof")) {
        args.addAll(List.of("--type", "cpu"));
      }
      String line = Cli.run(args.toArray(String[]::new)).badInput();
      assertTrue(line.contains("-: is not a file name: -o writes a file, never standard output"), command + ": " + line);
      assertTrue(Files.notExists(Path.of("-")), command + " wrote a file named -");
    }
  }

  /** picocli writes its warnings (a description it cannot format) to System.err, not to the command's. */
  @Test
  void helpOnEveryCommandRendersWithoutWarnings() {
    PrintStream systemErr = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      for (String command : List.of("summary", "tasks", "export", "repair")) {
        Cli.Run help = Cli.run(command, "--help").ok();
        assertTrue(help.out().startsWith("Usage: livetrace " + command), help.out());
        assertTrue(Cli.run("help", command).ok().out().startsWith("Usage: livetrace " + command));
      }
      assertTrue(Cli.run("--help").ok().out().startsWith("Usage: livetrace"));
    } finally {
      System.setErr(systemErr);
    }
    assertEquals("", warnings.toString(StandardCharsets.UTF_8), "warnings while rendering help");
    assertTrue(Cli.run("summary", "--help").out().contains("within 0.8% of the exact values"));
    String top = Cli.run("--help").ok().out();
    for (String command : List.of("summary", "tasks", "export", "repair")) {
      assertTrue(top.contains("  " + command), top);
    }
    assertEquals(0, Cli.run("help", "tasks").exitCode());
  }
}
