package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code repair}: a download cut inside its last chunk becomes a trace that JFR reads. */
class RepairCommandTest {
  private static byte[] trace;
  private static List<ChunkHeader> chunks;

  @BeforeAll
  static void record() throws Exception {
    // Ticks until three chunks are written: a time's worth of them gave two at load 11.
    trace =
        Recordings.recordChunks(
            TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)),
            3,
            () -> {
              Trace.withRegion("tick", () -> work(60));
              Trace.log("tick", "done");
            });
    chunks = TraceFiles.chunks(trace);
    assertTrue(chunks.size() >= 3, "several chunks, was " + chunks.size());
  }

  @Test
  void aTruncatedStreamIsTrimmedToItsLastCompleteChunk(@TempDir Path dir) throws Exception {
    long lastChunk = chunks.get(chunks.size() - 1).chunkSize();
    int completeLength = (int) (trace.length - lastChunk);
    int cutAt = (int) (completeLength + lastChunk / 2);
    Path cut = dir.resolve("cut.jfr");
    Files.write(cut, Arrays.copyOf(trace, cutAt));
    assertNotEquals(0, jfrExitCode(cut), "the JDK cannot read the cut file as a whole");

    String line = Cli.run("summary", cut.toString()).badInput();
    assertTrue(line.contains(cut.toString()) && line.contains("repair"), line);

    Path fixed = dir.resolve("fixed.jfr");
    String out = Cli.run("repair", cut.toString(), "-o", fixed.toString()).ok().out();
    assertTrue(out.contains("kept " + (chunks.size() - 1) + " chunks"), out);
    assertTrue(out.contains(String.format("dropped %,d bytes", cutAt - completeLength)), out);
    assertArrayEquals(Arrays.copyOf(trace, completeLength), Files.readAllBytes(fixed));
    String summary = TraceFiles.jfr(fixed, "summary");
    assertTrue(summary.contains("livetrace.Region"), summary);
    Cli.run("summary", fixed.toString()).ok();
  }

  @Test
  void aCompleteTraceIsCopiedWhole(@TempDir Path dir) throws Exception {
    Path whole = dir.resolve("whole.jfr");
    Files.write(whole, trace);
    Path copy = dir.resolve("copy.jfr");
    String out = Cli.run("repair", whole.toString(), "-o", copy.toString()).ok().out();
    assertTrue(out.contains("nothing dropped"), out);
    assertArrayEquals(trace, Files.readAllBytes(copy));
  }

  @Test
  void aTraceCutInsideItsFirstChunkHasNothingToKeep(@TempDir Path dir) throws Exception {
    Path cut = dir.resolve("first.jfr");
    Files.write(cut, Arrays.copyOf(trace, (int) chunks.get(0).chunkSize() / 2));
    Path out = dir.resolve("out.jfr");
    String line = Cli.run("repair", cut.toString(), "-o", out.toString()).badInput();
    assertTrue(line.contains(cut.toString()) && line.contains("no complete chunk"), line);
    assertFalse(Files.exists(out), "no output that looks valid");
  }

  @Test
  void garbageAfterTheLastChunkIsDropped(@TempDir Path dir) throws Exception {
    Path damaged = dir.resolve("damaged.jfr");
    byte[] withGarbage = Arrays.copyOf(trace, trace.length + 100);
    Arrays.fill(withGarbage, trace.length, withGarbage.length, (byte) 'x');
    Files.write(damaged, withGarbage);
    Path fixed = dir.resolve("fixed.jfr");
    String out = Cli.run("repair", damaged.toString(), "-o", fixed.toString()).ok().out();
    assertTrue(out.contains("are not a JFR chunk"), out);
    assertArrayEquals(trace, Files.readAllBytes(fixed));
  }

  @Test
  void theOutputMustNotBeTheInput(@TempDir Path dir) throws Exception {
    Path whole = dir.resolve("whole.jfr");
    Files.write(whole, trace);
    String line = Cli.run("repair", whole.toString(), "-o", whole.toString()).badInput();
    assertTrue(line.contains("is the trace being read"), line);
    assertArrayEquals(trace, Files.readAllBytes(whole));
  }

  private static int jfrExitCode(Path file) throws Exception {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "jfr");
    Process p = new ProcessBuilder(tool.toString(), "summary", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return p.exitValue();
  }
}
