package io.github.livetrace.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The chunk JFR is writing now, seen from its repository directory: the only public view of how
 * large the current chunk has grown, which JFR's own API does not report. JFR names chunk files by
 * their start time ({@code 2026_11_30_14_12_05.jfr}, then {@code _01}, {@code _02}... within one
 * second), so the greatest name is the newest chunk, and its file grows as JFR flushes its buffers
 * (at least once a second while a recording runs to disk). The repository is where the system
 * property {@code jdk.jfr.repository} says, which JFR sets when it creates it.
 *
 * @param fileName the chunk file's name: a new name means a chunk was finished, by anyone
 * @param bytes how much of it is on disk
 */
public record CurrentChunk(String fileName, long bytes) {

  /** The newest chunk file, or null when JFR has none or the repository cannot be read. */
  public static CurrentChunk find() {
    String repository = System.getProperty("jdk.jfr.repository");
    if (repository == null) {
      return null;
    }
    Path newest = null;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(repository), "*.jfr")) {
      for (Path f : files) {
        if (newest == null || f.getFileName().toString().compareTo(newest.getFileName().toString()) > 0) {
          newest = f;
        }
      }
      return newest == null ? null : new CurrentChunk(newest.getFileName().toString(), Files.size(newest));
    } catch (IOException | RuntimeException e) {
      // Gone between the listing and the size (a rotation), or moved: the next look sees the new one.
      return null;
    }
  }
}
