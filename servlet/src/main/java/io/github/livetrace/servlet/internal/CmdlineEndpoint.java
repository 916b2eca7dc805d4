package io.github.livetrace.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code cmdline}: Go serves the program's command line here; livetrace does not, and says why.
 * A JVM's command line carries secrets ({@code -Djavax.net.ssl.keyStorePassword=...}, tokens in
 * program arguments, agent options), which is why livetrace keeps {@code jdk.JVMInformation} out
 * of every recording too.
 */
public final class CmdlineEndpoint implements Endpoint {
  static final String WHY =
      "cmdline is not served: a JVM's command line carries secrets (passwords in -D options, tokens in"
          + " program arguments and agent options), and livetrace keeps them out of every answer";

  @Override
  public String name() {
    return "cmdline";
  }

  @Override
  public String description() {
    return "Not served (404): " + WHY.substring(WHY.indexOf(": ") + 2) + ".";
  }

  @Override
  public void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException {
    Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, WHY);
  }
}
