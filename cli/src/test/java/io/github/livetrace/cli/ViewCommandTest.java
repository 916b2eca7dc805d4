package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.TraceFiles;
import java.awt.GraphicsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code view} command: it serves until stopped, on 127.0.0.1 only, says where, and refuses a
 * port in use with a line that suggests {@code --port}. Bad files are refused as by every command
 * ({@link BadInputTest} runs each kind of them through {@code view} too).
 */
class ViewCommandTest {
  private static Path file;

  @BeforeAll
  static void record() throws Exception {
    file = TraceFiles.write(Recordings.record(TraceOptions.defaults(), () -> {
      Trace.newTask("order").end();
      Trace.log("a", "b");
    }));
  }

  /** A run of {@code view} on another thread, which serves until {@link #stop()}. */
  private static final class Serving {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final ViewCommand view;
    final CompletableFuture<Integer> exit;

    Serving(String... args) {
      CommandLine commandLine = LivetraceCli.commandLine();
      commandLine.setOut(new PrintWriter(out, true));
      commandLine.setErr(new PrintWriter(err, true));
      view = commandLine.getSubcommands().get("view").getCommand();
      exit = CompletableFuture.supplyAsync(() -> commandLine.execute(args));
      assertTrue(TraceFiles.eventually(60, () -> view.uri != null || exit.isDone()),
          () -> "serving; stderr: " + err);
      assertFalse(exit.isDone(), () -> "ended: " + out + err);
    }

    int stop() throws Exception {
      view.stop.countDown();
      return exit.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void servesOnLoopbackUntilStoppedAndSaysWhere() throws Exception {
    Serving serving = new Serving("view", file.toString(), "--no-browser");
    URI uri = serving.view.uri;
    assertEquals("127.0.0.1", uri.getHost());
    assertTrue(serving.out.toString().contains("serving " + file + " at " + uri + " (Ctrl-C to stop)"), serving.out.toString());
    assertEquals("", serving.err.toString());
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<span id=chunks>"), page.body());
    // Only the loopback interface listens: the machine's own address outside loopback is refused.
    InetAddress external = InetAddress.getLocalHost();
    if (!external.isLoopbackAddress()) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new InetSocketAddress(external, uri.getPort()), 5000);
        throw new AssertionError("the viewer answered on " + external);
      } catch (java.io.IOException expected) {
        // refused
      }
    }
    assertEquals(0, serving.stop());
    try (ServerSocket again = new ServerSocket(uri.getPort(), 1, InetAddress.getLoopbackAddress())) {
      assertEquals(uri.getPort(), again.getLocalPort(), "the port was released");
    }
  }

  @Test
  void aPortInUseIsOneLineThatSuggestsAnother() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      String line = Cli.run("view", file.toString(), "--port", Integer.toString(port), "--no-browser").badInput();
      assertTrue(line.startsWith("livetrace view: cannot listen on 127.0.0.1:" + port), line);
      assertTrue(line.contains("choose another port with --port"), line);
    }
    assertTrue(Cli.run("view", file.toString(), "--port", "70000").badInput().contains("--port must be 0 to 65535, was 70000"));
  }

  @Test
  void withoutABrowserItSaysToOpenTheAddressAndKeepsServing() throws Exception {
    assumeTrue(GraphicsEnvironment.isHeadless(), "a display: a browser would open");
    Serving serving = new Serving("view", file.toString());
    // Said after the address, once the attempt to open a browser failed.
    assertTrue(TraceFiles.eventually(60, () -> serving.err.toString().contains("yourself")), () -> serving.err.toString());
    String err = serving.err.toString();
    assertTrue(err.startsWith("livetrace view: cannot open a browser (") && err.contains("); open " + serving.view.uri + " yourself"), err);
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(serving.view.uri.resolve("/tasks")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("data-type=\"order\""), page.body());
    assertEquals(0, serving.stop());
  }
}
