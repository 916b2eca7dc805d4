package io.github.livetrace.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands a timeline window to the Perfetto UI the way Perfetto documents for local tools (its
 * {@code open_trace_in_ui}): the window's JSON is served on 127.0.0.1:9001, the one local address
 * the UI's Content-Security-Policy lets it fetch from, with CORS for the UI's origin, and the
 * browser opens {@code https://ui.perfetto.dev/#!/?url=http://127.0.0.1:9001/FILE}. Nothing
 * listens on 9001 until the user asks for the hand-over; then it serves every window by its
 * name, made per request as {@code /timeline.json} makes it, until {@code view} stops.
 */
final class PerfettoHandOver implements AutoCloseable {
  /** The port Perfetto UI may fetch traces from. */
  static final int PORT = 9001;

  static final String UI = "https://ui.perfetto.dev";

  /** A window's file: offsets since the trace's start, in nanoseconds. */
  private static final Pattern FILE = Pattern.compile("/livetrace-(\\d{1,19})-(\\d{1,19})\\.json");

  private final TimelinePage timeline;
  private final int port;
  private HttpServer server; // guarded by this
  private ExecutorService executor; // guarded by this

  PerfettoHandOver(TimelinePage timeline, int port) {
    this.timeline = timeline;
    this.port = port;
  }

  /**
   * Starts serving on 127.0.0.1:{@link #PORT}, if not yet, and returns the Perfetto UI address
   * that opens {@code window}.
   *
   * @throws BindException when another program has the port
   */
  synchronized String open(TimelineWindows windows, TimelineWindows.Window window) throws IOException {
    if (server == null) {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "livetrace-view-perfetto");
        t.setDaemon(true);
        return t;
      });
      s.setExecutor(executor);
      s.createContext("/", this::handle);
      s.start();
      server = s;
    }
    return UI + "/#!/?url=http://127.0.0.1:" + port + "/livetrace-" + (window.fromNanos() - windows.startNanos()) + "-"
        + (window.toNanos() - windows.startNanos()) + ".json";
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var headers = exchange.getResponseHeaders();
      headers.set("Access-Control-Allow-Origin", UI);
      headers.set("Vary", "Origin");
      headers.set("Cache-Control", "no-cache");
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (host == null || !(host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port))) {
        send(exchange, 403, "text/plain; charset=utf-8", ("this server answers requests for 127.0.0.1:" + port + " only\n")
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (exchange.getRequestMethod().equals("OPTIONS")) {
        // Chrome asks a public page's permission to fetch from this machine (Private Network Access).
        headers.set("Access-Control-Allow-Methods", "GET");
        headers.set("Access-Control-Allow-Private-Network", "true");
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      Matcher file = FILE.matcher(exchange.getRequestURI().getPath());
      if (!exchange.getRequestMethod().equals("GET") || !file.matches()) {
        send(exchange, 404, "text/plain; charset=utf-8", "no such file: this server serves livetrace view's timeline windows\n"
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] json;
      try {
        TimelineWindows.Window window = timeline.windows().window(file.group(1) + "ns", file.group(2) + "ns");
        json = timeline.json(window);
      } catch (IllegalArgumentException e) {
        send(exchange, 400, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      } catch (BadInputException e) {
        send(exchange, 500, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(exchange, 200, "application/json", json);
    } catch (IOException | UncheckedIOException e) {
      // the UI went away while the answer was written: nothing to tell it
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
