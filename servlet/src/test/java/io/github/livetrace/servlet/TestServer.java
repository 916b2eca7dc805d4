package io.github.livetrace.servlet;

import io.github.livetrace.Trace;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 server on a random loopback port with the pprof servlet at /debug/pprof/*. */
final class TestServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;

  private TestServer(ServletHolder holder, long idleTimeoutMillis, int sendBuffer) throws Exception {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    if (idleTimeoutMillis > 0) {
      connector.setIdleTimeout(idleTimeoutMillis);
    }
    if (sendBuffer > 0) {
      connector.setAcceptedSendBufferSize(sendBuffer);
    }
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    context.addServlet(holder, "/debug/pprof/*");
    server.setHandler(context);
    server.start();
    // The servlet warms JFR up at init; tests that count recordings start once that is over.
    Trace.warmUp().get(120, TimeUnit.SECONDS);
  }

  static TestServer with(PprofServlet servlet) throws Exception {
    return new TestServer(new ServletHolder(servlet), 0, 0);
  }

  static TestServer with(PprofServlet servlet, long idleTimeoutMillis) throws Exception {
    return new TestServer(new ServletHolder(servlet), idleTimeoutMillis, 0);
  }

  /** A server whose sockets buffer little, so that a client that does not read stalls it soon. */
  static TestServer withSmallSendBuffer(PprofServlet servlet) throws Exception {
    return new TestServer(new ServletHolder(servlet), 0, 8192);
  }

  static TestServer withInitParameters(Map<String, String> params) throws Exception {
    ServletHolder holder = new ServletHolder(PprofServlet.class);
    params.forEach(holder::setInitParameter);
    return new TestServer(holder, 0, 0);
  }

  /** The URI of {@code path} below the pprof servlet, such as {@code trace?seconds=1}. */
  URI pprof(String path) {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/debug/pprof/" + path);
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
