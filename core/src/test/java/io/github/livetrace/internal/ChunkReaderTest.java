package io.github.livetrace.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import io.github.livetrace.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.management.ObjectName;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunks read from JFR's repository files are byte for byte those of JFR's own stream, and
 * any repository that does not match what JFR holds falls back to JFR's stream.
 */
class ChunkReaderTest {
  private static final String REPOSITORY = "jdk.jfr.repository";
  private static final int ROUNDS = 5;
  private static final int PER_ROUND = 2_000;

  @Name("livetrace.test.ChunkFiller")
  static final class Filler extends Event {
    String text;
    long sequence;
  }

  private static Recording recording;
  private static long firstChunkStart;

  @BeforeAll
  static void writeSeveralChunks() throws IOException {
    recording = new Recording();
    recording.enable("livetrace.test.ChunkFiller");
    recording.start();
    // Past 128 characters JFR writes a string inline, so the chunks are large; each round ends
    // with a rotation, so the snapshot holds several chunks.
    String padding = "x".repeat(300);
    long sequence = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < PER_ROUND; i++) {
        Filler filler = new Filler();
        filler.text = padding + sequence;
        filler.sequence = sequence++;
        filler.commit();
      }
      FlightRecorder.getFlightRecorder().takeSnapshot().close();
    }
    try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
      firstChunkStart = new ChunkReader(false).survey(snapshot, 0, Map.of()).get(0).header().startNanos();
    }
  }

  @AfterAll
  static void close() {
    recording.close();
  }

  private record Read(byte[] bytes, int streamsFromFiles) {}

  /** What a trace or window sends: the checked chunks from {@code fromNanos}, copied. */
  private static Read read(Recording snapshot, boolean fromFiles, long fromNanos) throws IOException {
    ChunkReader reader = new ChunkReader(fromFiles);
    List<ChunkReader.Chunk> chunks = reader.scan(snapshot, fromNanos, RecordingSettings.sensitiveEventTypeIds());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    reader.copy(snapshot, chunks, out, chunk -> {}, () -> false, () -> false);
    return new Read(out.toByteArray(), reader.streamsFromFiles());
  }

  private static List<Long> fillers(byte[] trace, Path dir) throws IOException {
    Path file = Files.write(dir.resolve("read-" + System.nanoTime() + ".jfr"), trace);
    List<Long> sequences = new ArrayList<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getEventType().getName().equals("livetrace.test.ChunkFiller")) {
        sequences.add(e.getLong("sequence"));
      }
    }
    return sequences;
  }

  @Test
  void repositoryFilesAndJfrsStreamGiveTheSameChunks(@TempDir Path dir) throws IOException {
    try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
      List<ChunkReader.Surveyed> all = new ChunkReader(false).survey(snapshot, 0, Map.of());
      assertTrue(all.size() > ROUNDS, "chunks: " + all.size());
      long middle = all.get(all.size() / 2).header().startNanos();
      for (long from : new long[] {0, firstChunkStart, middle}) {
        Read stream = read(snapshot, false, from);
        Read files = read(snapshot, true, from);
        assertEquals(0, stream.streamsFromFiles());
        assertEquals(2, files.streamsFromFiles(), "the check and the copy each read the repository's files");
        assertArrayEquals(stream.bytes(), files.bytes(), "from " + from);
      }
      List<Long> sequences = fillers(read(snapshot, true, firstChunkStart).bytes(), dir);
      assertEquals(ROUNDS * PER_ROUND, sequences.size());
      assertEquals(ROUNDS * PER_ROUND - 1, sequences.stream().mapToLong(Long::longValue).max().orElseThrow());
      assertEquals(survey(snapshot, false), survey(snapshot, true));
    }
  }

  private static List<ChunkHeader> survey(Recording snapshot, boolean fromFiles) throws IOException {
    return new ChunkReader(fromFiles).survey(snapshot, 0, Map.of()).stream().map(ChunkReader.Surveyed::header).toList();
  }

  /**
   * Every way the repository can differ from what JFR holds: none at the property's path, the
   * newest or a middle chunk missing, one cut short, one more. Each gives JFR's own stream, and the
   * same bytes; a faithful copy of the repository is read as the repository.
   */
  @Test
  void aRepositoryThatDoesNotMatchWhatJfrHoldsIsNotRead(@TempDir Path dir) throws IOException {
    String repository = System.getProperty(REPOSITORY);
    try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
      byte[] expected = read(snapshot, false, firstChunkStart).bytes();
      List<Path> held = held(snapshot, Path.of(repository));
      assertTrue(held.size() > ROUNDS, "files: " + held.size());
      assertReadFromFiles(snapshot, dir.resolve("copy"), held, files -> {}, expected, true);
      assertReadFromFiles(snapshot, dir.resolve("empty"), held, files -> files.forEach(ChunkReaderTest::delete), expected, false);
      assertReadFromFiles(snapshot, dir.resolve("newest"), held, files -> delete(files.get(files.size() - 1)), expected, false);
      assertReadFromFiles(snapshot, dir.resolve("middle"), held, files -> delete(files.get(files.size() / 2)), expected, false);
      assertReadFromFiles(snapshot, dir.resolve("cut"), held, files -> cut(files.get(files.size() / 2)), expected, false);
      assertReadFromFiles(snapshot, dir.resolve("extra"), held, ChunkReaderTest::duplicateMiddle, expected, false);
      System.setProperty(REPOSITORY, dir.resolve("nowhere").toString());
      assertArrayEquals(expected, read(snapshot, true, firstChunkStart).bytes());
    } finally {
      System.setProperty(REPOSITORY, repository);
    }
  }

  /**
   * The real way a repository stops matching: {@code jcmd JFR.configure repositorypath=...} moves
   * it while recordings hold chunks in the old one. Those are read through JFR's stream; once no
   * recording holds an old chunk, the new repository's files are read. In a child JVM, whose
   * repository the move may change for good.
   */
  @Test
  void aRepositoryMovedByJcmdIsReadFromWhereJfrWritesIt(@TempDir Path dir) {
    ChildJvm.Result result = ChildJvm.run(List.of(), Map.of(), MovedRepository.class, dir.toString());
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("held in both: same bytes, 0 streams from files"), result.output());
    assertTrue(result.output().contains("held in the new one: same bytes, 2 streams from files"), result.output());
  }

  /** Moves its JFR repository with the diagnostic command that {@code jcmd JFR.configure} runs. */
  public static final class MovedRepository {
    public static void main(String[] args) throws Exception {
      try (Recording before = new Recording()) {
        before.enable("livetrace.test.ChunkFiller");
        before.start();
        fill(0);
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "jfrConfigure",
                new Object[] {new String[] {"repositorypath=" + args[0]}},
                new String[] {String[].class.getName()});
        if (!System.getProperty(REPOSITORY).startsWith(args[0])) {
          throw new AssertionError("the repository did not move: " + System.getProperty(REPOSITORY));
        }
        fill(1);
        compare("held in both");
      }
      try (Recording after = new Recording()) {
        after.enable("livetrace.test.ChunkFiller");
        after.start();
        fill(2);
        compare("held in the new one");
      }
    }

    private static void compare(String what) throws IOException {
      try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
        Read stream = read(snapshot, false, 0);
        Read files = read(snapshot, true, 0);
        if (!Arrays.equals(stream.bytes(), files.bytes()) || stream.bytes().length == 0) {
          throw new AssertionError(what + ": the bytes differ");
        }
        System.out.println(what + ": same bytes, " + files.streamsFromFiles() + " streams from files");
      }
    }
  }

  /**
   * Reading chunks keeps none of them on disk: on JDK 25 a JFR stream closed before its end keeps
   * the chunks it did not reach, so a copy of a middle chunk through JFR's stream, and the
   * one-chunk streams the file path reads headers from, must release every chunk. In a child JVM,
   * where no other recording holds chunks.
   */
  @Test
  void readingChunksLeavesNoneOnDisk() {
    ChildJvm.Result result = ChildJvm.run(List.of(), Map.of(), ReleasesChunks.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("left on disk: []"), result.output());
  }

  /** Reads a middle chunk both ways, closes everything and lists what JFR kept on disk. */
  public static final class ReleasesChunks {
    public static void main(String[] args) throws Exception {
      List<Path> read;
      try (Recording rotating = new Recording()) {
        rotating.setMaxAge(java.time.Duration.ofMillis(1)); // keeps JFR writing chunks, holds none for long
        rotating.start();
        try (Recording held = new Recording()) {
          held.enable("livetrace.test.ChunkFiller");
          held.start();
          for (int round = 0; round < 4; round++) {
            fill(round);
          }
          try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
            read = held(snapshot, Path.of(System.getProperty(REPOSITORY)));
            List<ChunkReader.Surveyed> all = new ChunkReader(false).survey(snapshot, 0, Map.of());
            ChunkReader.Chunk middle = all.get(all.size() / 2).checked();
            for (boolean fromFiles : new boolean[] {false, true}) {
              new ChunkReader(fromFiles).copy(snapshot, List.of(middle), OutputStream.nullOutputStream(), c -> {}, () -> false, () -> false);
            }
          }
        }
        for (int i = 0; i < 3; i++) {
          FlightRecorder.getFlightRecorder().takeSnapshot().close(); // rotations trim what rotating held
        }
        System.out.println("left on disk: " + read.stream().filter(Files::exists).map(Path::getFileName).toList());
      }
    }
  }

  private static void fill(int round) {
    for (int i = 0; i < PER_ROUND; i++) {
      Filler filler = new Filler();
      filler.text = "x".repeat(300) + i;
      filler.sequence = round * PER_ROUND + i;
      filler.commit();
    }
    FlightRecorder.getFlightRecorder().takeSnapshot().close();
  }

  private static void assertReadFromFiles(
      Recording snapshot, Path copy, List<Path> held, Consumer<List<Path>> change, byte[] expected, boolean fromFiles)
      throws IOException {
    Files.createDirectories(copy);
    List<Path> copies = new ArrayList<>();
    for (Path file : held) {
      copies.add(Files.copy(file, copy.resolve(file.getFileName())));
    }
    change.accept(copies);
    System.setProperty(REPOSITORY, copy.toString());
    Read read = read(snapshot, true, firstChunkStart);
    assertEquals(fromFiles ? 2 : 0, read.streamsFromFiles(), copy.getFileName() + ": read from the files");
    assertArrayEquals(expected, read.bytes(), copy.getFileName().toString());
  }

  /** The finished chunk files of the repository that the snapshot holds, oldest first. */
  private static List<Path> held(Recording snapshot, Path repository) throws IOException {
    List<ChunkHeader> chunks = survey(snapshot, false);
    long oldest = chunks.get(0).startNanos();
    long newest = chunks.get(chunks.size() - 1).startNanos();
    try (Stream<Path> files = Files.list(repository)) {
      return files
          .filter(f -> f.toString().endsWith(".jfr"))
          .filter(f -> {
            ChunkHeader h = header(f);
            return h != null && h.isFinished() && h.startNanos() >= oldest && h.startNanos() <= newest;
          })
          .sorted(Comparator.comparingLong(f -> header(f).startNanos()))
          .toList();
    }
  }

  private static ChunkHeader header(Path file) {
    try {
      byte[] bytes = new byte[ChunkHeader.SIZE];
      try (var in = Files.newInputStream(file)) {
        if (in.readNBytes(bytes, 0, bytes.length) < bytes.length) {
          return null;
        }
      }
      return ChunkHeader.parse(bytes, 0).orElse(null);
    } catch (IOException e) {
      return null; // JFR removed it meanwhile
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void cut(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void duplicateMiddle(List<Path> files) {
    Path middle = files.get(files.size() / 2);
    try {
      Files.copy(middle, middle.resolveSibling("extra-" + middle.getFileName()));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
