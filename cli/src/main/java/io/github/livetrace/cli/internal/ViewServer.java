package io.github.livetrace.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The web server of {@code livetrace view}: the JDK's own {@link HttpServer}, bound to
 * 127.0.0.1 only, serving {@link ViewPages} and the two scripts they load, ECharts (from its
 * WebJar) and {@code view.js}, from the jar. Nothing is fetched from anywhere else: the pages'
 * Content-Security-Policy allows this origin only, so a page cannot reach the internet even by
 * mistake, and requests whose {@code Host} is not this address are refused (a web page the user
 * visits cannot read the trace through DNS rebinding).
 *
 * <p>Usage: {@code ViewServer server = ViewServer.bind(0); server.serve(fleet, summary);
 * server.uri()}, then {@link #close()}. Binding comes first so that a port in use is reported
 * before a large trace is read.
 */
public final class ViewServer implements AutoCloseable {
  /** Two: a page that reads the trace again does not hold up the scripts of another. */
  private static final int THREADS = 2;

  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'";

  private static final String ECHARTS_PATH = "/static/echarts.min.js";
  private static final String VIEW_JS_PATH = "/static/view.js";

  private final HttpServer server;
  private final ExecutorService executor;
  private final int port;
  private volatile ViewPages pages;

  private ViewServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.port = server.getAddress().getPort();
  }

  /**
   * Binds 127.0.0.1:{@code port}, 0 for any free port; serves nothing until {@link #serve}.
   *
   * @throws BadInputException when the port is in use or may not be bound
   */
  public static ViewServer bind(int port) throws BadInputException, IOException {
    if (port < 0 || port > 65535) {
      throw new BadInputException("--port must be 0 to 65535, was " + port);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (BindException e) {
      throw new BadInputException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
          + "): another program has it; choose another port with --port, or --port 0 for any free one");
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "livetrace-view-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    return new ViewServer(server, executor);
  }

  /** Starts serving the pages of {@code fleet}, whose {@code summary} was read beforehand. */
  public void serve(Fleet fleet, TraceSummary summary) {
    serve(fleet, summary, TimelinePage.EVENTS_PER_WINDOW);
  }

  /**
   * {@link #serve(Fleet, TraceSummary)} with the timeline split into windows of at most {@code
   * timelineEventsPerWindow} events: small traces in several windows, for tests.
   */
  public void serve(Fleet fleet, TraceSummary summary, long timelineEventsPerWindow) {
    pages = new ViewPages(fleet, summary, timelineEventsPerWindow);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The address of the overview page, such as {@code http://127.0.0.1:40123/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Stops at once: requests being answered are cut; threads end. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (pages != null) {
      pages.close();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, ViewPages.Response.text(405, "only GET and HEAD are served"));
        return;
      }
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (host == null || !(host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port))) {
        send(exchange, ViewPages.Response.text(403, "this viewer answers requests for 127.0.0.1:" + port + " only"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case ECHARTS_PATH:
          send(exchange, asset(echarts(), "text/javascript"));
          return;
        case VIEW_JS_PATH:
          send(exchange, asset("/io/github/livetrace/cli/view/view.js", "text/javascript"));
          return;
        default:
          send(exchange, pages.page(path, exchange.getRequestURI().getRawQuery()));
      }
    } catch (IOException | UncheckedIOException e) {
      // the browser went away while the answer was written: nothing to tell it
    }
  }

  private static void send(HttpExchange exchange, ViewPages.Response response) throws IOException {
    byte[] body = response.body();
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", response.contentType());
    // A page with a script of its own (a flame graph) may run exactly that script, and no other.
    headers.set("Content-Security-Policy", response.scriptHash() == null ? CSP
        : CSP.replace("script-src 'self'", "script-src " + response.scriptHash()));
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cache-Control", response.cacheable() ? "max-age=3600" : "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (head) {
      headers.set("Content-Length", Integer.toString(body.length));
    }
    exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** A file of the jar, cached by the browser: it changes only with the jar. */
  private static ViewPages.Response asset(String resource, String type) throws IOException {
    try (InputStream in = ViewServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        return ViewPages.Response.text(500, resource + " is missing from livetrace's jar");
      }
      return new ViewPages.Response(200, type + "; charset=utf-8", in.readAllBytes(), true);
    }
  }

  /** Where the ECharts WebJar keeps its bundle; the version comes from the WebJar itself. */
  static String echarts() throws IOException {
    Properties pom = new Properties();
    try (InputStream in = ViewServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/echarts/pom.properties")) {
      if (in == null) {
        return "/META-INF/resources/webjars/echarts/unknown/dist/echarts.min.js";
      }
      pom.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return "/META-INF/resources/webjars/echarts/" + pom.getProperty("version") + "/dist/echarts.min.js";
  }
}
