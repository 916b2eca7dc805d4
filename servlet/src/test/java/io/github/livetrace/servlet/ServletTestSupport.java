package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.testing.RawHttp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Servers and connections a test opens, closed after it, and no trace left running. */
abstract class ServletTestSupport {
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAndStopTracing() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    Trace.stop();
    assertTrue(eventually(30, () -> !Trace.isEnabled()));
  }

  /** Closed after the test. */
  <T extends AutoCloseable> T closing(T resource) {
    toClose.add(resource);
    return resource;
  }

  TestServer server(PprofServlet servlet) throws Exception {
    return closing(TestServer.with(servlet));
  }

  RawHttp open(TestServer server, int receiveBuffer) throws IOException {
    return closing(new RawHttp(server.port(), receiveBuffer));
  }
}
