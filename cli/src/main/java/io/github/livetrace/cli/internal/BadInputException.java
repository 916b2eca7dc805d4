package io.github.livetrace.cli.internal;

import java.nio.file.Path;

/**
 * The user gave the CLI something it cannot work with: a missing, empty, foreign or cut trace, or
 * an output it may not write. The message is one line that names the file and the problem; the
 * command line prints it and exits with status 2, without a stack trace.
 */
public final class BadInputException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A problem with {@code file}; the message starts with the file name. */
  public BadInputException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
