package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the CLI in this JVM, as {@code main} would, and captures what it prints. */
final class Cli {
  /** Exit status, standard output and standard error of one run. */
  record Run(int exitCode, String out, String err) {
    /** Fails unless the run succeeded and printed nothing on standard error. */
    Run ok() {
      assertEquals(0, exitCode, () -> "exit status; stderr:\n" + err + "\nstdout:\n" + out);
      assertEquals("", err, "stderr of a successful run");
      return this;
    }

    /** Fails unless the run succeeded; its notes on standard error are the caller's to check. */
    Run succeeded() {
      assertEquals(0, exitCode, () -> "exit status; stderr:\n" + err + "\nstdout:\n" + out);
      return this;
    }

    /**
     * Fails unless the run failed with status 2 and one line on standard error, without a stack
     * trace; returns that line.
     */
    String badInput() {
      assertEquals(2, exitCode, () -> "exit status; stderr:\n" + err + "\nstdout:\n" + out);
      String line = err.strip();
      assertFalse(line.isEmpty(), "an error message");
      assertFalse(line.contains("\n"), () -> "one line, was:\n" + err);
      assertFalse(line.contains("Exception") || line.contains("\tat "), () -> "no stack trace:\n" + err);
      return line;
    }
  }

  private Cli() {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = LivetraceCli.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }
}
