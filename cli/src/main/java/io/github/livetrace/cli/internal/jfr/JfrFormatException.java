package io.github.livetrace.cli.internal.jfr;

/**
 * The bytes are not JFR as this decoder reads it: damaged (a cut or overwritten record, a broken
 * metadata or constant-pool event) or of a kind it does not read (uncompressed integers, an
 * unknown format version). The message is one line that says what and where.
 */
public final class JfrFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public JfrFormatException(String message) {
    super(message);
  }
}
