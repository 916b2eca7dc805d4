package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import tools.jackson.core.exc.JacksonIOException;

/**
 * The {@code livetrace} command: {@code summary}, {@code tasks}, {@code export}, {@code
 * repair}, {@code pprof} and {@code view} of a downloaded trace, and {@code pull} of traces,
 * windows and profiles from Kubernetes pods. Run it as {@code java -jar livetrace.jar <command>}.
 *
 * <p>Exit status: 0 on success; 2 on bad usage or bad input (a missing, empty, foreign or cut
 * trace, an output that cannot be created), with a one-line message that names the file and the
 * problem; 1 when something else fails, such as a full disk. Stack traces are never printed.
 */
@Command(
    name = "livetrace",
    mixinStandardHelpOptions = true,
    versionProvider = LivetraceCli.Version.class,
    description = {
      "Analyses a livetrace trace (a JFR file downloaded from a running JVM), as 'go tool trace' does.",
      ""
    },
    subcommands = {
      SummaryCommand.class,
      TasksCommand.class,
      ExportCommand.class,
      RepairCommand.class,
      PprofCommand.class,
      PullCommand.class,
      ViewCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Durations are written as in Go: 250us, 100ms, 1.5s, 2m, 1h30m.",
      "Exit status: 0 success, 2 bad usage or bad input, 1 other failure."
    })
public final class LivetraceCli implements Callable<Integer> {
  /** Exit status for bad usage and bad input. */
  public static final int EXIT_BAD_INPUT = 2;

  /** Exit status for other failures, such as an output that cannot be written to the end. */
  public static final int EXIT_FAILURE = 1;

  @Spec private CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with livetrace's error handling: one-line messages and exit status 2 for
   * bad usage and bad input. Tests set its output and error writers and call {@code execute}.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new LivetraceCli());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(LivetraceCli::badUsage);
    commandLine.setExecutionExceptionHandler(LivetraceCli::failed);
    return commandLine;
  }

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "missing command: summary, tasks, export, repair, pprof, pull or view");
  }

  private static int badUsage(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    String message = oneLine(e.getMessage());
    if (e instanceof UnmatchedArgumentException && command.getCommandSpec().parent() == null) {
      List<String> unmatched = ((UnmatchedArgumentException) e).getUnmatched();
      if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
        message = "'" + unmatched.get(0) + "' is not a command; the commands are "
            + String.join(", ", command.getSubcommands().keySet());
      }
    }
    command.getErr().println(name + ": " + message + " (see '" + name + " --help')");
    command.getErr().flush();
    return EXIT_BAD_INPUT;
  }

  private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    int status;
    if (e instanceof BadInputException) {
      err.println(name + ": " + oneLine(e.getMessage()));
      status = EXIT_BAD_INPUT;
    } else if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof JacksonIOException) {
      Throwable cause = e instanceof IOException ? e : e.getCause();
      err.println(name + ": I/O error: " + oneLine(String.valueOf(cause.getMessage())));
      status = EXIT_FAILURE;
    } else {
      err.println(name + ": internal error: " + oneLine(String.valueOf(e)));
      status = EXIT_FAILURE;
    }
    err.flush();
    return status;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  /** The version from the jar's manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LivetraceCli.class.getPackage().getImplementationVersion();
      return new String[] {"livetrace " + (version == null ? "(development build)" : version)};
    }
  }
}
