package io.github.livetrace.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a high-level client hides: whether a chunked body ended
 * with its final zero-length chunk or was cut, the exact headers of HEAD, and a reader that does
 * not read.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  /** The status code, once {@link #readHead()} ran. */
  public int status;
  /** The headers, names in lower case, once {@link #readHead()} ran. */
  public final Map<String, String> headers = new LinkedHashMap<>();

  /** Connects; {@code receiveBuffer} > 0 makes the socket's receive buffer that small. */
  public RawHttp(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(120_000);
    in = socket.getInputStream();
  }

  /** Sends a request with the given extra header lines ("Name: value"). */
  public RawHttp send(String method, String path, String... headerLines) throws IOException {
    StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headerLines) {
      request.append(h).append("\r\n");
    }
    request.append("\r\n"); // keep-alive, so that the body is chunked as it is for every client

    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Reads the status line and headers (names in lower case). */
  public RawHttp readHead() throws IOException {
    String statusLine = line();
    status = Integer.parseInt(statusLine.split(" ")[1]);
    String h;
    while (!(h = line()).isEmpty()) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    return this;
  }

  /** Everything that comes until the server closes the connection (after {@code Connection: close}). */
  public byte[] readRest() throws IOException {
    return in.readAllBytes();
  }

  /** The body of a chunked response as far as it came, and whether it ended properly. */
  public record Body(byte[] bytes, boolean complete, String cut) {}

  /** Reads a chunked body to its end or to the connection's end; each data chunk to {@code sink}. */
  public Body readChunked(OutputStream sink) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      while (true) {
        String sizeLine = line();
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          line(); // the empty line after the last chunk (no trailers)
          return new Body(body.toByteArray(), true, null);
        }
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
          body.write(data);
          return new Body(body.toByteArray(), false, "connection ended inside an HTTP chunk");
        }
        body.write(data);
        if (sink != null) {
          sink.write(data);
          sink.flush();
        }
        line();
      }
    } catch (IOException | RuntimeException e) {
      return new Body(body.toByteArray(), false, e.toString());
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection ended");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
