package io.github.livetrace.examples;

import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.servlet.PprofServlet;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The livetrace demo: a coffee shop on embedded Jetty 12 with the pprof servlet.
 *
 * <pre>
 * java -jar examples/target/livetrace-example.jar [--port N] [--load] [--flight-recorder]
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * </pre>
 *
 * <p>{@code --port 0} picks a free port; {@code --load} starts customers that keep ordering;
 * {@code --no-warm-up} leaves JFR's start-up cost to the first trace (for measuring it).
 * {@code --flight-recorder} keeps the last seconds all the time ({@code /debug/pprof/flightrecorder})
 * and a snapshot of them when an order takes longer than {@link #SLOW_ORDER}.
 */
public final class CoffeeShop implements AutoCloseable {
  /** An order slower than this keeps a flight recorder snapshot: most take 10 to 30 ms, a few up to 70. */
  static final Duration SLOW_ORDER = Duration.ofMillis(40);

  private final Server server;
  private final ExecutorService baristas;
  private LoadGenerator load;

  private CoffeeShop(Server server, ExecutorService baristas) {
    this.server = server;
    this.baristas = baristas;
  }

  /** Starts the shop on localhost; port 0 picks a free one. */
  public static CoffeeShop start(int port, boolean load) throws Exception {
    return start(port, load, null);
  }

  /**
   * Starts the shop on localhost; port 0 picks a free one.
   *
   * @param flightRecorder the options of a flight recorder to run, such as {@link
   *     #keepingSlowOrders()}; null for none
   */
  public static CoffeeShop start(int port, boolean load, FlightRecorderOptions flightRecorder) throws Exception {
    return start(port, load, flightRecorder, true);
  }

  /** Starts the shop; {@code warmUp} false leaves JFR's start-up cost to the first trace. */
  static CoffeeShop start(int port, boolean load, FlightRecorderOptions flightRecorder, boolean warmUp)
      throws Exception {
    ExecutorService baristas = Executors.newFixedThreadPool(4, named("barista"));
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    ShopServlet shop = new ShopServlet(new Barista(baristas));
    context.addServlet(new ServletHolder(shop), "/order");
    context.addServlet(new ServletHolder(shop), "/menu");
    // The demo serves anyone on loopback; production code sets a token or an access check.
    PprofServlet.Builder pprof = PprofServlet.builder().warmUp(warmUp);
    if (flightRecorder != null) {
      pprof.flightRecorder(flightRecorder);
    }
    context.addServlet(new ServletHolder(pprof.build()), "/debug/pprof/*");
    server.setHandler(context);
    server.start();

    CoffeeShop shopApp = new CoffeeShop(server, baristas);
    if (load) {
      shopApp.load = new LoadGenerator(shopApp.uri(), 4);
      shopApp.load.start();
    }
    return shopApp;
  }

  /** The demo's flight recorder: the defaults, and a snapshot of every order slower than {@link #SLOW_ORDER}. */
  static FlightRecorderOptions keepingSlowOrders() {
    return FlightRecorderOptions.defaults().withSnapshotOnSlowTask("order", SLOW_ORDER);
  }

  /** Where the shop listens, such as {@code http://127.0.0.1:8080}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
  }

  @Override
  public void close() throws Exception {
    if (load != null) {
      load.close();
    }
    server.stop();
    baristas.shutdownNow();
  }

  public static void main(String[] args) throws Exception {
    int port = 8080;
    boolean load = false;
    boolean warmUp = true;
    boolean flightRecorder = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port":
          if (i + 1 == args.length) {
            usage("--port needs a number");
          }
          try {
            port = Integer.parseInt(args[++i]);
          } catch (NumberFormatException e) {
            usage("--port needs a number, not '" + args[i] + "'");
          }
          break;
        case "--load":
          load = true;
          break;
        case "--no-warm-up":
          warmUp = false; // for benchmarks/warm-up-cost.sh
          break;
        case "--flight-recorder":
          flightRecorder = true;
          break;
        case "-h":
        case "--help":
          usage(null);
          break;
        default:
          usage("unknown argument '" + args[i] + "'");
      }
    }
    CoffeeShop shop;
    try {
      shop = start(port, load, flightRecorder ? keepingSlowOrders() : null, warmUp);
    } catch (IOException e) {
      if (isBindFailure(e)) {
        System.err.println(
            "livetrace-example: port " + port + " is taken; start it with --port N (--port 0 picks a free one)");
        System.exit(2);
      }
      throw e;
    }
    // One hook that closes in order: customers first, then the server, so that stopping the demo
    // prints nothing (Jetty's own stop-at-shutdown hook would race the customers' requests).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        shop.close();
      } catch (Exception e) {
        System.err.println("livetrace-example: stopping: " + e);
      }
    }, "coffee-shop-stop"));
    URI uri = shop.uri();
    System.out.println("Coffee shop open at " + uri + (load ? " (customers are ordering)" : ""));
    System.out.println("  order:  curl '" + uri + "/order?drink=latte&name=Ann'");
    System.out.println("  trace:  curl -o trace.jfr '" + uri + "/debug/pprof/trace?seconds=5'");
    System.out.println("  read:   jfr print --events 'livetrace.*' trace.jfr");
    if (flightRecorder) {
      System.out.println("  window: curl -o window.jfr '" + uri + "/debug/pprof/flightrecorder'   (the last 10 s or more)");
      System.out.println("  slow:   curl '" + uri + "/debug/pprof/flightrecorder/snapshots'   (orders over "
          + SLOW_ORDER.toMillis() + " ms, at most one a minute)");
    }
    System.out.println("  index:  " + uri + "/debug/pprof/");
    shop.server.join();
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static void usage(String problem) {
    if (problem != null) {
      System.err.println("livetrace-example: " + problem);
    }
    System.err.println("usage: java -jar livetrace-example.jar [--port N] [--load] [--flight-recorder] [--no-warm-up]");
    System.exit(problem == null ? 0 : 2);
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
