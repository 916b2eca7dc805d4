package io.github.livetrace.cli;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.servlet.PprofServlet;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * What answers on the pods' ports in the pull's tests: real livetrace endpoints (in this JVM, or
 * in a JVM of their own, so that two pods are two JVMs), servers that replay a recorded trace at
 * its real pace (optionally cut short), and other tools.
 */
final class PodServers implements AutoCloseable {
  private final Server server;
  private final List<ServerConnector> connectors = new ArrayList<>();

  /** {@code servlet} at {@code /debug/pprof/*}, reachable on {@code ports} loopback ports (pods that share one JVM). */
  PodServers(Servlet servlet, int ports) throws Exception {
    server = new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(400, 120)); // threads ready: a burst of requests at one instant waits for none
    for (int i = 0; i < ports; i++) {
      ServerConnector c = new ServerConnector(server);
      c.setHost("127.0.0.1");
      c.setPort(0);
      server.addConnector(c);
      connectors.add(c);
    }
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(servlet), "/debug/pprof/*");
    server.setHandler(context);
    server.start();
  }

  int port(int i) {
    return connectors.get(i).getLocalPort();
  }

  int port() {
    return port(0);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** Serves {@code trace}'s chunks as a trace endpoint would, one per second; after {@code cutAfter} chunks it aborts. */
  static final class Replay extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final List<byte[]> chunks = new ArrayList<>();
    private final int cutAfter;
    /** When each request arrived (System.nanoTime), for the pull benchmark's spread. */
    final List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();

    Replay(byte[] trace, int cutAfter) {
      long offset = 0;
      while (offset < trace.length) {
        ChunkHeader h = ChunkHeader.parse(trace, (int) offset).orElseThrow();
        chunks.add(java.util.Arrays.copyOfRange(trace, (int) offset, (int) (offset + h.chunkSize())));
        offset += h.chunkSize();
      }
      this.cutAfter = cutAfter;
    }

    /** As livetrace: the headers a GET would get, and nothing started. */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("application/octet-stream");
      resp.flushBuffer();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (!"/trace".equals(req.getPathInfo())) {
        resp.setContentType("text/html");
        resp.getWriter().write("<html>the index of a pod that replays a trace</html>");
        return;
      }
      String start = req.getParameter("start");
      if (start != null) { // as livetrace's trace endpoint: start then
        long wait = Long.parseLong(start) - System.currentTimeMillis();
        if (wait > 0) {
          try {
            TimeUnit.MILLISECONDS.sleep(wait); // the endpoint's own wait for its start, as livetrace's
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
      arrivals.add(System.nanoTime());
      resp.setContentType("application/octet-stream");
      resp.flushBuffer();
      OutputStream out = resp.getOutputStream();
      for (int i = 0; i < chunks.size(); i++) {
        try {
          TimeUnit.MILLISECONDS.sleep(i == 0 ? 250 : 1000); // the pace of a trace: the chunks' own interval
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (i == cutAfter) {
          // As livetrace cuts a trace: when the next chunk is due, the container aborts the response.
          throw new IOException("replay cut short on purpose");
        }
        out.write(chunks.get(i));
        out.flush();
      }
    }
  }

  /** Another tool on the port: a fixed answer to every path. */
  static final class OtherTool extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    OtherTool(int status, String body) {
      this.status = status;
      this.body = body;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(status);
      resp.setContentType("text/html");
      resp.getWriter().write(body);
    }
  }

  /** A livetrace endpoint in a JVM of its own: another pod, with its own pid and start. */
  static final class ChildPod implements AutoCloseable {
    private final Process process;
    final int port;

    ChildPod(String... servletArgs) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"), ChildPod.class.getName()));
      command.addAll(List.of(servletArgs));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line;
      int found = -1;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("port=")) {
          found = Integer.parseInt(line.substring(5).trim());
          break;
        }
      }
      if (found < 0) {
        process.destroyForcibly();
        throw new IOException("the child pod did not start");
      }
      port = found;
      Thread drain = new Thread(() -> {
        try {
          lines.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
          // gone
        }
      });
      drain.setDaemon(true);
      drain.start();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }

    /** Serves livetrace until its parent closes its standard input; args: [token]. */
    public static void main(String[] args) throws Exception {
      PprofServlet.Builder b = PprofServlet.builder().maxDuration(Duration.ofSeconds(20));
      if (args.length > 0) {
        b.bearerToken(args[0]);
      }
      try (PodServers pod = new PodServers(b.build(), 1)) {
        System.out.println("port=" + pod.port());
        System.out.flush();
        System.in.read(); // until the parent goes
      }
    }
  }
}
