package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.ViewServer;
import java.awt.Desktop;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code livetrace view TRACE}: a local web viewer for a downloaded trace, as {@code go tool trace}
 * is for Go. The trace is read as {@code summary} reads it, then served on 127.0.0.1 until the
 * command is stopped (Ctrl-C).
 */
@Command(
    name = "view",
    mixinStandardHelpOptions = true,
    description = {
      "Serves web pages of the trace on 127.0.0.1 and opens them in the browser: the overview (time span,"
          + " chunks, JVMs, threads, events), task and region types with their latency histograms (a click on a"
          + " bar lists the instances in that range, slowest first), and each task with its regions, logs,"
          + " parent, children and threads on one time axis, and what those threads did meanwhile (blocked,"
          + " on CPU, GC pauses); each region instance likewise; flame graphs of CPU, allocation, lock contention (mutex) and blocking,"
          + " of the trace, a task, a task type or a span of time; the timeline, in windows of a few MB, with a"
          + " button that hands a window to the Perfetto UI; and JDK Mission Control's automated analysis.",
      "Works without the internet: the charts (Apache ECharts) are served from livetrace's jar; only the"
          + " Perfetto button, when clicked, goes to ui.perfetto.dev.",
      "Several files, or a directory that livetrace pull wrote, are one trace of many JVMs, as for summary."
    })
final class ViewCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "TRACE",
      description = "the trace: a .jfr file, several, or a directory (such as one livetrace pull wrote)")
  private List<Path> traces;

  @Option(names = "--port", paramLabel = "P", defaultValue = "0",
      description = "the port on 127.0.0.1 to serve on; 0 (default) for any free one")
  private int port;

  @Option(names = "--no-browser", description = "print the address only; do not open a browser")
  private boolean noBrowser;

  @Spec private CommandSpec spec;

  /** Released when the server is to stop; the command waits on it (tests release it). */
  final CountDownLatch stop = new CountDownLatch(1);

  /** The address served, once serving. */
  volatile URI uri;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // The port first: a port in use is said before a large trace is read.
    try (ViewServer server = ViewServer.bind(port)) {
      Fleet fleet = Fleet.open(traces, note -> err.println("livetrace view: " + note));
      err.flush();
      TraceSummary summary = TraceSummary.of(fleet);
      server.serve(fleet, summary);
      uri = server.uri();
      out.println("livetrace view: serving " + describe(fleet) + " at " + uri + " (Ctrl-C to stop)");
      out.flush();
      if (!noBrowser) {
        browse(uri, err);
      }
      stop.await();
    }
    return 0;
  }

  private static String describe(Fleet fleet) {
    String files = fleet.parts().size() == 1 ? fleet.parts().get(0).file().path().toString() : fleet.parts().size() + " files";
    return files + (fleet.isFleet() ? " (" + fleet.jvms().size() + " JVMs)" : "");
  }

  /** Opens the default browser; where there is none (a server, no display), says to open the address by hand. */
  private static void browse(URI uri, PrintWriter err) {
    String why;
    try {
      if (Desktop.isDesktopSupported() && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
        Desktop.getDesktop().browse(uri);
        return;
      }
      why = "no desktop browser is available here";
    } catch (Exception | LinkageError e) {
      why = String.valueOf(e.getMessage());
    }
    err.println("livetrace view: cannot open a browser (" + why + "); open " + uri + " yourself");
    err.flush();
  }
}
