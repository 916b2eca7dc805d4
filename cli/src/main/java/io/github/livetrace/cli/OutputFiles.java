package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code -o} file of {@code export} and {@code repair}: checked before any work is done,
 * opened before anything could delete it, and deleted when the command fails after writing to it.
 */
final class OutputFiles {
  private OutputFiles() {}

  /** Fails unless {@code output} can be written and is not the trace being read. */
  static void requireWritable(Path output, Path trace) throws BadInputException {
    if (output.toString().equals("-")) {
      // Go's tools take "-" for standard output; these write binary or large files, so say so
      // rather than leave a file named "-".
      throw new BadInputException(output, "is not a file name: -o writes a file, never standard output");
    }
    if (Files.isDirectory(output)) {
      throw new BadInputException(output, "is a directory; -o needs a file name");
    }
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new BadInputException(output, "cannot be written: directory " + parent + " does not exist");
    }
    try {
      if (Files.exists(output) && Files.isSameFile(output, trace)) {
        throw new BadInputException(output, "is the trace being read; choose another output file");
      }
    } catch (IOException e) {
      throw new BadInputException(output, "cannot be checked: " + e.getMessage());
    }
  }

  /**
   * Opens (creates or truncates) {@code output}. Call it before the block that deletes the output
   * on failure: a file that cannot be opened is the user's and stays as it was.
   */
  static FileChannel open(Path output) throws BadInputException {
    try {
      return FileChannel.open(
          output, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (AccessDeniedException e) {
      throw new BadInputException(output, "cannot be written: permission denied");
    } catch (IOException e) {
      throw new BadInputException(output, "cannot be written: " + e.getMessage());
    }
  }

  /** Removes a half-written output, so that a failed command leaves nothing that looks valid. */
  static void deleteQuietly(Path output) {
    try {
      Files.deleteIfExists(output);
    } catch (IOException e) {
      // the command's own error is what the user needs to see
    }
  }
}
