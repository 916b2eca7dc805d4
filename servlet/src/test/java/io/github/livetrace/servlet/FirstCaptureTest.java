package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.RawHttp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import jdk.jfr.FlightRecorder;
import org.junit.jupiter.api.Test;

/**
 * What a user meets on the first capture: the status line as soon as the recording runs (and then
 * every event is in the trace), an early first chunk that is a valid file by itself, a zstd or gzip
 * stream that decodes chunk by chunk as it arrives and keeps its complete chunks when cut,
 * and a warm-up that leaves nothing behind.
 */
class FirstCaptureTest extends ServletTestSupport {
  @Test
  void theStatusLineComesBeforeAnyChunkAndEveryEventAfterItIsInTheTrace() throws Exception {
    // A 4 s trace in 5 s chunks is one chunk, finished at the end: the headers cannot wait for it.
    TestServer server = server(PprofServlet.builder().chunkInterval(Duration.ofSeconds(5)).build());
    RawHttp http = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=4");
    http.readHead();
    assertEquals(200, http.status);
    TraceSession session = Trace.activeSession().orElseThrow(() -> new AssertionError("the status came after the trace"));
    assertEquals(0, session.chunksWritten(), "the status line waited for a chunk");
    String marker = "right after the headers " + UUID.randomUUID();
    Trace.log("first-capture-test", marker);
    RawHttp.Body body = http.readChunked(null);
    assertTrue(body.complete(), body.cut());
    assertEquals(1, chunks(body.bytes()).size());
    assertTrue(jfr(body.bytes(), "print", "--events", "livetrace.Log").contains(marker), "an event after the headers is missing");
  }

  @Test
  void theEarlyFirstChunkIsAValidFileByItselfAndComesBeforeTheSecond() throws Exception {
    TestServer server = server(PprofServlet.builder().build());
    RawHttp http = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=5");
    http.readHead();
    TraceSession session = Trace.activeSession().orElseThrow();
    PipedInputStream received = new PipedInputStream(1 << 20);
    PipedOutputStream sink = new PipedOutputStream(received);
    CompletableFuture<RawHttp.Body> rest = CompletableFuture.supplyAsync(() -> {
      try (sink) {
        return http.readChunked(sink);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    byte[] first = readJfrChunk(received);
    assertTrue(session.isActive(), "the first chunk must come while the 5 s trace records");
    ChunkHeader header = ChunkHeader.parse(first, 0).orElseThrow();
    assertTrue(header.durationNanos() < Duration.ofSeconds(1).toNanos(), "the first chunk is not the early one: " + header);
    assertTrue(jfr(first, "summary").contains("Chunks: 1"));
    received.transferTo(OutputStream.nullOutputStream());
    assertTrue(rest.get(60, TimeUnit.SECONDS).complete());
  }

  @Test
  void aGzipStreamDecompressesChunkByChunkAndACutOneKeepsItsCompleteChunks() throws Exception {
    decodesChunkByChunkAndACutOneKeepsItsCompleteChunks("gzip", "gzip", GZIPInputStream::new);
  }

  @Test
  void aZstdStreamDecodesChunkByChunkAndACutOneKeepsItsCompleteChunks() throws Exception {
    // What curl --compressed and browsers send; zstd-jni's decoder is libzstd's, as curl's is.
    decodesChunkByChunkAndACutOneKeepsItsCompleteChunks("deflate, gzip, br, zstd", "zstd", ZstdInputStreamNoFinalizer::new);
  }

  interface Decoder {
    InputStream open(InputStream compressed) throws IOException;
  }

  private void decodesChunkByChunkAndACutOneKeepsItsCompleteChunks(String accept, String coding, Decoder decoder) throws Exception {
    TestServer server = server(PprofServlet.builder().chunkInterval(Duration.ofMillis(300)).build());
    RawHttp http = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=30", "Accept-Encoding: " + accept);
    http.readHead();
    assertEquals(coding, http.headers.get("content-encoding"));
    TraceSession session = Trace.activeSession().orElseThrow();
    PipedInputStream compressed = new PipedInputStream(1 << 20);
    PipedOutputStream sink = new PipedOutputStream(compressed);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    CompletableFuture<RawHttp.Body> body = CompletableFuture.supplyAsync(() -> {
      try (sink) {
        return http.readChunked(new OutputStream() {
          @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }
          @Override public void write(byte[] b, int off, int len) throws IOException {
            synchronized (wire) {
              wire.write(b, off, len);
            }
            sink.write(b, off, len);
          }
        });
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    // Decoded as it arrives: each JFR chunk is whole while the trace still records.
    InputStream decoded = decoder.open(compressed);
    ByteArrayOutputStream sofar = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      byte[] chunk = readJfrChunk(decoded);
      assertTrue(session.isActive(), "chunk " + i + " came only after the trace");
      sofar.write(chunk);
    }
    assertEquals(3, chunks(sofar.toByteArray()).size());
    assertTrue(jfr(sofar.toByteArray(), "summary").contains("Chunks: 3"));

    // Cut the download now: what came so far still yields its complete chunks.
    byte[] cut;
    synchronized (wire) {
      cut = wire.toByteArray();
    }
    http.close();
    ByteArrayOutputStream salvaged = new ByteArrayOutputStream();
    try (InputStream in = decoder.open(new ByteArrayInputStream(cut))) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        salvaged.write(buf, 0, n);
      }
      throw new AssertionError("a cut " + coding + " stream decoded as if complete");
    } catch (IOException expected) {
      // the end of the stream is missing (gzip: EOFException; zstd: "Truncated source"); all
      // that was flushed before the cut decodes
    }
    byte[] bytes = salvaged.toByteArray();
    int whole = 0;
    long offset = 0;
    while (offset + ChunkHeader.SIZE <= bytes.length) {
      long size = ChunkHeader.parse(bytes, (int) offset).orElseThrow().chunkSize();
      if (offset + size > bytes.length) {
        break;
      }
      offset += size;
      whole++;
    }
    assertTrue(whole >= 3, "only " + whole + " whole chunks in a cut " + coding + " download");
    byte[] complete = java.util.Arrays.copyOf(bytes, (int) offset);
    assertTrue(jfr(complete, "summary").contains("Chunks: " + whole));
    assertTrue(eventually(30, () -> !Trace.isEnabled()), "the cut client's trace kept running");
    body.handle((b, e) -> null).get(60, TimeUnit.SECONDS);
  }

  @Test
  void theWarmUpLeavesNoRecordingNoFileAndNothingRunning() throws Exception {
    Trace.warmUp().get(120, TimeUnit.SECONDS);
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty(), "a recording was left");
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace")), "a livetrace thread was left");
    // JFR's own threads stay once it is initialized: they must be idle while no recording runs.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> before = jfrThreadCpu(threads);
    assertFalse(before.isEmpty(), "JFR's threads are not there: was JFR initialized?");
    Thread.sleep(2000); // the idle period under test
    Map<Long, Long> after = jfrThreadCpu(threads);
    long busy = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      busy += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    assertTrue(busy < TimeUnit.MILLISECONDS.toNanos(50), "JFR threads used " + busy / 1_000_000 + " ms of CPU in 2 s with no recording");
  }

  private static Map<Long, Long> jfrThreadCpu(ThreadMXBean threads) {
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("JFR")) {
        cpu.put(t.getId(), threads.getThreadCpuTime(t.getId()));
      }
    }
    return cpu;
  }

  private static byte[] readJfrChunk(InputStream in) throws IOException {
    byte[] header = in.readNBytes(ChunkHeader.SIZE);
    assertEquals(ChunkHeader.SIZE, header.length, "the stream ended before a chunk");
    long size = ChunkHeader.parse(header, 0).orElseThrow().chunkSize();
    byte[] rest = in.readNBytes((int) size - ChunkHeader.SIZE);
    assertEquals(size - ChunkHeader.SIZE, rest.length, "the stream ended inside a chunk");
    return ByteBuffer.allocate((int) size).put(header).put(rest).array();
  }
}
