// A client of /debug/pprof/trace that times what a user waits for, from outside the JVM under
// test: the status line, the first complete JFR chunk, the last byte; and what crosses the wire.
// Compiled against the demo's jar (for zstd-jni's decoder): java -cp DEMO_JAR:. FirstCaptureClient URL [gzip|zstd]
// Prints one line: status_ms first_chunk_ms last_byte_ms wire_bytes trace_bytes chunks complete
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

class FirstCaptureClient {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String coding = args.length > 1 ? args[1] : null; // gzip, zstd or none
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      long start = System.nanoTime();
      String request = "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost()
          + (coding != null ? "\r\nAccept-Encoding: " + coding : "") + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream raw = socket.getInputStream();
      String status = line(raw);
      long statusAt = System.nanoTime();
      if (!status.contains(" 200 ")) {
        throw new IllegalStateException("answer: " + status);
      }
      while (!line(raw).isEmpty()) {}
      Chunked body = new Chunked(raw);
      InputStream trace =
          coding == null ? body
              : coding.equals("zstd") ? new com.github.luben.zstd.ZstdInputStreamNoFinalizer(body)
              : new GZIPInputStream(body, 512);
      long firstChunkAt = -1;
      long traceBytes = 0;
      int chunks = 0;
      byte[] header = new byte[68];
      while (true) {
        int n = trace.readNBytes(header, 0, 68);
        if (n < 68) {
          break;
        }
        long size = ByteBuffer.wrap(header).getLong(8);
        byte[] rest = trace.readNBytes((int) (size - 68));
        if (rest.length < size - 68) {
          break; // a cut chunk is no chunk
        }
        chunks++;
        traceBytes += size;
        if (firstChunkAt < 0) {
          firstChunkAt = System.nanoTime();
        }
      }
      body.transferTo(java.io.OutputStream.nullOutputStream()); // to the final chunk (after the end of the gzip or zstd stream)
      long lastAt = System.nanoTime();
      System.out.printf("%.0f %.0f %.0f %d %d %d %s%n",
          (statusAt - start) / 1e6, (firstChunkAt - start) / 1e6, (lastAt - start) / 1e6,
          body.wire, traceBytes, chunks, body.complete);
    }
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new IOException("connection ended");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** The decoded body of a chunked response; counts the body bytes on the wire. */
  static final class Chunked extends InputStream {
    final InputStream in;
    long left;
    boolean crlfPending; // Jetty sends a chunk's closing CRLF with the next chunk: read it then
    long wire;
    boolean done;
    boolean complete;

    Chunked(InputStream in) { this.in = in; }

    @Override public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
      if (done) return -1;
      if (len == 0) return 0; // must not wait for the next HTTP chunk
      if (left == 0) {
        String size;
        try {
          if (crlfPending) {
            line(in);
            crlfPending = false;
          }
          size = line(in);
        } catch (IOException e) {
          done = true;
          return -1;
        }
        left = Long.parseLong(size.split(";")[0].trim(), 16);
        if (left == 0) {
          done = true;
          complete = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) { done = true; return -1; }
      left -= n;
      wire += n;
      crlfPending = left == 0;
      return n;
    }
  }
}
