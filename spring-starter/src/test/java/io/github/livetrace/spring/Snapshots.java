package io.github.livetrace.spring;

import io.github.livetrace.FlightRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The snapshot store of a test's flight recorder. */
final class Snapshots {
  private Snapshots() {}

  /** Removes the store: it is the user's, so the flight recorder leaves it behind, and a test must not. */
  static void removeStore(FlightRecorder recorder) throws IOException {
    if (!Files.exists(recorder.snapshotDirectory())) {
      return;
    }
    try (Stream<Path> files = Files.walk(recorder.snapshotDirectory())) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
