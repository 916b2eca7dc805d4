package io.github.livetrace.cli.internal;

import java.nio.file.Path;

/**
 * The user gave the CLI something it cannot work with: a missing, empty, foreign or cut trace, an
 * output it may not write, or pods that cannot be pulled (none matches, no Kubernetes
 * configuration, access denied). The message is one line that names the file or what was asked and
 * the problem; the command line prints it and exits with status 2, without a stack trace.
 */
public final class BadInputException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A problem with {@code file}; the message starts with the file name. */
  public BadInputException(Path file, String problem) {
    super(file + ": " + problem);
  }

  /** A problem with no file: the message names what was asked. */
  public BadInputException(String problem) {
    super(problem);
  }
}
