package io.github.livetrace.cli;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.github.livetrace.Trace;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.servlet.PprofServlet;
import io.github.livetrace.testing.RawHttp;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download saved as it came over the wire, zstd- or gzip-encoded, from a real servlet: cut
 * mid-way, {@code repair} decodes it and keeps every chunk that was sent whole; whole, it is
 * decoded and nothing is dropped. The other commands name {@code repair} for such a file.
 */
class CompressedRepairTest {
  @AfterEach
  void noTraceLeft() {
    Trace.stop();
    assertTrue(eventually(30, () -> !Trace.isEnabled()));
  }

  @Test
  void aCutZstdDownloadKeepsTheChunksThatCameWhole(@TempDir Path dir) throws Exception {
    cutDownloadIsRepaired(dir, "zstd");
  }

  @Test
  void aCutGzipDownloadKeepsTheChunksThatCameWhole(@TempDir Path dir) throws Exception {
    cutDownloadIsRepaired(dir, "gzip");
  }

  private void cutDownloadIsRepaired(Path dir, String coding) throws Exception {
    try (PodServers pod = new PodServers(PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).build(), 1)) {
      RawHttp http = new RawHttp(pod.port(), 0).send("GET", "/debug/pprof/trace?seconds=30", "Accept-Encoding: " + coding);
      http.readHead();
      assertEquals(coding, http.headers.get("content-encoding"));
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      CompletableFuture<RawHttp.Body> body = CompletableFuture.supplyAsync(() -> {
        try {
          return http.readChunked(new OutputStream() {
            @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) {
              synchronized (wire) {
                wire.write(b, off, len);
              }
            }
          });
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      // Cut once three whole chunks came, as a client interrupted mid-trace.
      assertTrue(eventually(60, () -> TraceFiles.chunks(decodedSoFar(coding, snapshot(wire))).size() >= 3), "three chunks never came");
      byte[] cut = snapshot(wire);
      http.close();
      body.handle((b, e) -> null).get(60, TimeUnit.SECONDS);
      int whole = TraceFiles.chunks(decodedSoFar(coding, cut)).size();

      Path saved = dir.resolve("trace.jfr." + (coding.equals("zstd") ? "zst" : "gz"));
      Files.write(saved, cut);
      String refused = Cli.run("summary", saved.toString()).badInput();
      assertTrue(refused.contains(coding + "-compressed") && refused.contains("livetrace repair"), refused);

      Path fixed = dir.resolve("fixed.jfr");
      String out = Cli.run("repair", saved.toString(), "-o", fixed.toString()).ok().out();
      assertTrue(out.contains("decoded " + coding) && out.contains("stream is cut short"), out);
      assertTrue(out.contains("kept " + whole + " chunks"), out);
      byte[] repaired = Files.readAllBytes(fixed);
      assertEquals(whole, TraceFiles.chunks(repaired).size());
      String summary = TraceFiles.jfr(fixed, "summary");
      assertTrue(summary.contains("Chunks: " + whole), summary);
      Cli.run("summary", fixed.toString()).ok();
    }
  }

  @Test
  void aWholeZstdDownloadIsDecodedWithNothingDropped(@TempDir Path dir) throws Exception {
    try (PodServers pod = new PodServers(PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).build(), 1);
        RawHttp http = new RawHttp(pod.port(), 0).send("GET", "/debug/pprof/trace?seconds=1", "Accept-Encoding: zstd")) {
      http.readHead();
      RawHttp.Body body = http.readChunked(null);
      assertTrue(body.complete(), body.cut());
      byte[] decoded = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(body.bytes())).readAllBytes();
      Path saved = dir.resolve("trace.jfr.zst");
      Files.write(saved, body.bytes());
      Path fixed = dir.resolve("trace.jfr");
      String out = Cli.run("repair", saved.toString(), "-o", fixed.toString()).ok().out();
      assertTrue(out.contains("nothing dropped"), out);
      assertFalse(out.contains("stream is cut short"), out);
      assertArrayEquals(decoded, Files.readAllBytes(fixed));
    }
  }

  @Test
  void aCompressedFileWithNoWholeChunkLeavesNoOutput(@TempDir Path dir) throws Exception {
    byte[] trace = Recordings.record(io.github.livetrace.TraceOptions.defaults(), () -> Recordings.work(50));
    ByteArrayOutputStream zstd = new ByteArrayOutputStream();
    try (OutputStream z = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(zstd, 3)) {
      z.write(trace, 0, trace.length / 2);
    }
    Path saved = dir.resolve("half.jfr.zst");
    Files.write(saved, zstd.toByteArray());
    Path out = dir.resolve("out.jfr");
    String line = Cli.run("repair", saved.toString(), "-o", out.toString()).badInput();
    assertTrue(line.contains("no complete chunk"), line);
    assertFalse(Files.exists(out), "no output that looks valid");
  }

  private static byte[] snapshot(ByteArrayOutputStream wire) {
    synchronized (wire) {
      return wire.toByteArray();
    }
  }

  /** What a streaming decoder makes of the bytes so far, which end mid-stream. */
  private static byte[] decodedSoFar(String coding, byte[] wire) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = coding.equals("zstd")
        ? new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(wire))
        : new GZIPInputStream(new ByteArrayInputStream(wire))) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the stream goes on past these bytes
    }
    byte[] bytes = out.toByteArray();
    int complete = 0;
    while (complete + ChunkHeader.SIZE <= bytes.length) {
      long size = ChunkHeader.parse(bytes, complete).orElseThrow().chunkSize();
      if (complete + size > bytes.length) {
        break;
      }
      complete += (int) size;
    }
    return java.util.Arrays.copyOf(bytes, complete); // the complete chunks
  }
}
