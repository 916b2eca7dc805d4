package io.github.livetrace.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code trace?start=}: many JVMs asked by one client ({@code livetrace pull}) record one
 * wall-clock window, whenever each request arrived.
 */
class TraceStartTest extends ServletTestSupport {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void theRecordingStartsAtTheGivenInstant() throws Exception {
    TestServer server = server(PprofServlet.builder().build());
    Instant start = Instant.now().plusMillis(1500);
    HttpResponse<byte[]> r =
        client.send(HttpRequest.newBuilder(server.pprof("trace?seconds=1&start=" + start.toEpochMilli())).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    List<ChunkHeader> chunks = TraceFiles.chunks(r.body());
    long first = chunks.stream().mapToLong(ChunkHeader::startNanos).min().orElseThrow();
    long startNanos = start.toEpochMilli() * 1_000_000;
    assertTrue(first >= startNanos - 50_000_000L, "the recording started " + (startNanos - first) / 1_000_000 + " ms before its start");
  }

  @Test
  void aStartThatIsNotAnInstantOrTooFarAheadIsA400ThatSaysWhatIsAccepted() throws Exception {
    TestServer server = server(PprofServlet.builder().build());
    for (String bad : List.of("tomorrow", "1e12", Long.toString(Instant.now().plusSeconds(3600).toEpochMilli()))) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.pprof("trace?seconds=1&start=" + bad)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), bad);
      assertTrue(r.body().startsWith("start must be") || r.body().startsWith("start may be at most 10 s ahead"), r.body());
    }
    // Already past, or in ISO-8601: accepted.
    HttpResponse<byte[]> past = client.send(HttpRequest.newBuilder(server.pprof("trace?seconds=0.5&start=" + Instant.now().minusSeconds(5))).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, past.statusCode());
  }
}
