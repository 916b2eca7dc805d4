package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceFailure.Reason;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.testing.RawHttp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.management.jfr.FlightRecorderMXBean;
import org.junit.jupiter.api.Test;

/**
 * A trace that livetrace ends early must not look complete: the response is aborted (no final
 * zero-length HTTP chunk, no gzip trailer nor end of zstd frame) and the failure counted, while the chunks already sent
 * stay readable. Read with a raw socket, which shows exactly how the body ended.
 */
class CutTracesTest extends ServletTestSupport {
  /** Starts a 30 s trace, waits for its first chunk, lets {@code cut} end it, and reads the rest. */
  private RawHttp.Body traceCutBy(Runnable cut, String coding) throws Exception {
    TestServer server = server(PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).build());
    RawHttp http = open(server, 0);
    if (coding != null) {
      http.send("GET", "/app/debug/pprof/trace?seconds=30", "Accept-Encoding: " + coding);
    } else {
      http.send("GET", "/app/debug/pprof/trace?seconds=30");
    }
    http.readHead();
    assertEquals(200, http.status);
    CompletableFuture<RawHttp.Body> body = CompletableFuture.supplyAsync(() -> {
      try {
        return http.readChunked(null);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    TraceSession session = Trace.activeSession().orElseThrow();
    Trace.log("cut-traces-test", "before the cut");
    assertTrue(eventually(60, () -> session.chunksWritten() >= 2), "no chunks");
    cut.run();
    RawHttp.Body result = body.get(60, TimeUnit.SECONDS);
    assertTrue(session.failure().isPresent());
    return result;
  }

  /** Decodes what came of a {@code coding} body (null: identity), asserting whether it ended properly. */
  static byte[] decodeWhatCame(String coding, byte[] body, boolean expectEnd) throws IOException {
    if (coding == null) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in =
        coding.equals("zstd")
            ? new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(body))
            : new GZIPInputStream(new ByteArrayInputStream(body))) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
      assertTrue(expectEnd, "a cut " + coding + " stream decoded as if complete");
    } catch (IOException e) {
      // gzip: EOFException, no trailer; zstd: "Truncated source", no end of frame
      assertFalse(expectEnd, "a complete " + coding + " stream was cut: " + e);
    }
    return out.toByteArray();
  }

  @Test
  void anotherRecordingWithSecretsEndsTheTraceAndTheResponseIsAborted() throws Exception {
    long failed = TraceStats.failedCount(Reason.SENSITIVE_EVENTS);
    Recording[] other = new Recording[1];
    RawHttp.Body body =
        traceCutBy(
            () -> {
              other[0] = new Recording(Map.of("jdk.InitialSystemProperty#enabled", "true", "jdk.InitialSystemProperty#period", "beginChunk"));
              other[0].start();
            },
            null);
    other[0].close();
    assertFalse(body.complete(), "a cut trace ended like a complete one");
    byte[] trace = body.bytes();
    assertTrue(chunks(trace).size() >= 2, "the chunks before the cut are whole");
    assertTrue(events(trace, "jdk.InitialSystemProperty").isEmpty());
    assertTrue(jfr(trace, "print", "--events", "livetrace.Log").contains("before the cut"));
    assertEquals(failed + 1, TraceStats.failedCount(Reason.SENSITIVE_EVENTS));
  }

  @Test
  void aRecordingStoppedFromOutsideAbortsTheGzipResponseToo() throws Exception {
    stoppedFromOutside("gzip");
  }

  @Test
  void aRecordingStoppedFromOutsideAbortsTheZstdResponseToo() throws Exception {
    stoppedFromOutside("zstd");
  }

  private void stoppedFromOutside(String coding) throws Exception {
    long failed = TraceStats.failedCount(Reason.RECORDING_CLOSED);
    RawHttp.Body body =
        traceCutBy(
            () -> {
              FlightRecorderMXBean bean = ManagementFactory.getPlatformMXBean(FlightRecorderMXBean.class);
              long id =
                  FlightRecorder.getFlightRecorder().getRecordings().stream()
                      .filter(r -> r.getName().equals("livetrace")).findFirst().orElseThrow().getId();
              bean.stopRecording(id);
            },
            coding);
    assertFalse(body.complete(), "a cut trace ended like a complete one");
    byte[] trace = decodeWhatCame(coding, body.bytes(), false);
    assertTrue(chunks(trace).size() >= 2);
    assertTrue(jfr(trace, "print", "--events", "livetrace.Log").contains("before the cut"));
    assertEquals(failed + 1, TraceStats.failedCount(Reason.RECORDING_CLOSED));
  }

  @Test
  void aTraceThatRunsItsDurationEndsProperlyInEveryCoding() throws Exception {
    TestServer server = server(PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).build());
    for (String coding : new String[] {null, "gzip", "zstd"}) {
      RawHttp http = open(server, 0);
      if (coding != null) {
        http.send("GET", "/app/debug/pprof/trace?seconds=1", "Accept-Encoding: " + coding);
      } else {
        http.send("GET", "/app/debug/pprof/trace?seconds=1");
      }
      http.readHead();
      assertEquals(coding, http.headers.get("content-encoding"));
      assertEquals("Accept-Encoding", http.headers.get("vary"));
      RawHttp.Body body = http.readChunked(null);
      assertTrue(body.complete(), body.cut());
      byte[] trace = decodeWhatCame(coding, body.bytes(), true);
      assertTrue(chunks(trace).size() >= 2, "an early chunk and the rest");
      assertTrue(eventually(30, () -> !Trace.isEnabled()));
    }
  }

  @Test
  void aStalledClientEndsAtTheWriteTimeoutAndTheNextTraceStarts() throws Exception {
    long failed = TraceStats.failedCount(Reason.WRITE_TIMEOUT);
    TestServer server =
        TestServer.withSmallSendBuffer(
            PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).writeTimeout(Duration.ofSeconds(1)).build());
    closing(server);
    RawHttp stalled = open(server, 4096);
    stalled.send("GET", "/app/debug/pprof/trace?seconds=2");
    stalled.readHead(); // and then reads nothing
    assertEquals(200, stalled.status);
    TraceSession session = Trace.activeSession().orElseThrow();
    assertTrue(session.awaitTermination(Duration.ofSeconds(60)), "the stalled client held the trace");
    assertEquals(Reason.WRITE_TIMEOUT, session.failure().orElseThrow().reason());
    assertEquals(failed + 1, TraceStats.failedCount(Reason.WRITE_TIMEOUT));

    RawHttp next = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=0.3");
    next.readHead();
    assertEquals(200, next.status, "the slot is free once the write timeout has passed");
    assertTrue(next.readChunked(null).complete());

    RawHttp.Body cut = stalled.readChunked(null);
    assertFalse(cut.complete(), "the stalled client must see the cut");
    assertTrue(
        eventually(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace-"))),
        "a livetrace thread stayed behind");
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
  }

  @Test
  void headHasTheHeadersOfAGetAndNoLength() throws Exception {
    TestServer server = server(PprofServlet.builder().build());
    Map<String, String> codings = new java.util.LinkedHashMap<>();
    codings.put("deflate, gzip;q=0.8", "gzip");
    codings.put("gzip;q=0", null);
    codings.put("deflate, gzip, br, zstd", "zstd");
    codings.put("gzip, zstd;q=0.5", "gzip");
    for (Map.Entry<String, String> coding : codings.entrySet()) {
      RawHttp http = open(server, 0);
      http.send("HEAD", "/app/debug/pprof/trace?seconds=5", "Accept-Encoding: " + coding.getKey());
      http.readHead();
      assertEquals(200, http.status);
      assertNull(http.headers.get("content-length"), "HEAD announced a length the GET would not have: " + http.headers);
      assertEquals("application/octet-stream", http.headers.get("content-type"));
      assertEquals("attachment; filename=\"trace.jfr\"", http.headers.get("content-disposition"));
      assertEquals("Accept-Encoding", http.headers.get("vary"));
      assertEquals(coding.getValue(), http.headers.get("content-encoding"), coding.getKey());
    }
    assertFalse(Trace.isEnabled());
  }

  @Test
  void retryAfterSaysWhenTheSlotIsFreeAlsoWhileATraceIsEnding() throws Exception {
    TestServer server =
        TestServer.withSmallSendBuffer(
            PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).writeTimeout(Duration.ofSeconds(30)).build());
    closing(server);
    RawHttp recording = open(server, 4096).send("GET", "/app/debug/pprof/trace?seconds=8");
    recording.readHead();
    TraceSession session = Trace.activeSession().orElseThrow();
    RawHttp busy = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=1");
    busy.readHead();
    assertEquals(429, busy.status);
    long whileRecording = Long.parseLong(busy.headers.get("retry-after"));
    assertTrue(whileRecording >= 2 && whileRecording <= 8, "Retry-After " + whileRecording + " for a trace with ~8 s left");

    // Past its duration the recording is over; the stalled client's chunks wait for it.
    assertTrue(eventually(60, () -> session.isActive() && Trace.activeSession().flatMap(TraceSession::expectedEnd)
        .map(end -> !end.isAfter(java.time.Instant.now().plusMillis(500))).orElse(false)), "the trace did not start ending");
    RawHttp whileEnding = open(server, 0).send("GET", "/app/debug/pprof/trace?seconds=1");
    whileEnding.readHead();
    if (whileEnding.status == 429) {
      assertEquals("1", whileEnding.headers.get("retry-after"), "the slot is about to be free");
    } else {
      assertEquals(200, whileEnding.status);
    }
  }
}
