package io.github.livetrace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads traces in tests the way users do: with {@code jdk.jfr.consumer} and with the JDK's own
 * {@code jfr} tool, from the JDK that runs the tests. Shared with the other modules' tests through
 * core's test jar.
 */
public final class TraceFiles {
  private TraceFiles() {}

  /** Writes a trace to a temporary file, deleted when the JVM exits. */
  public static Path write(byte[] trace) {
    try {
      Path file = Files.createTempFile("livetrace-test-", ".jfr");
      file.toFile().deleteOnExit();
      Files.write(file, trace);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All events of a trace, read with {@link RecordingFile}; fails the test if it is unreadable. */
  public static List<RecordedEvent> events(byte[] trace) {
    Path file = write(trace);
    try {
      return RecordingFile.readAllEvents(file);
    } catch (IOException e) {
      throw new AssertionError("trace of " + trace.length + " bytes is not readable", e);
    } finally {
      deleteQuietly(file);
    }
  }

  /** The events of the given type. */
  public static List<RecordedEvent> events(byte[] trace, String type) {
    return events(trace).stream()
        .filter(e -> e.getEventType().getName().equals(type))
        .collect(Collectors.toList());
  }

  /** The headers of the chunks of a trace, checking that they tile it exactly. */
  public static List<ChunkHeader> chunks(byte[] trace) {
    List<ChunkHeader> chunks = new ArrayList<>();
    long offset = 0;
    while (offset < trace.length) {
      long at = offset;
      ChunkHeader h =
          ChunkHeader.parse(trace, (int) offset)
              .orElseThrow(() -> new AssertionError("no chunk header at offset " + at));
      assertTrue(h.isFinished(), "chunk at " + offset + " is not finished");
      chunks.add(h);
      offset += h.chunkSize();
    }
    assertEquals((long) trace.length, offset, "chunks do not end where the trace ends");
    return chunks;
  }

  /** Runs the JDK's {@code jfr} tool on a file and returns its output; fails on a non-zero exit. */
  public static String jfr(Path file, String... args) {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "jfr");
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.addAll(List.of(args));
    command.add(file.toString());
    try {
      Path output = Files.createTempFile("livetrace-jfr-", ".txt");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jfr did not finish: " + command);
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "jfr failed: " + command + "\n" + text);
        return text;
      } finally {
        deleteQuietly(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs {@code jfr args... trace} on bytes. */
  public static String jfr(byte[] trace, String... args) {
    Path file = write(trace);
    try {
      return jfr(file, args);
    } finally {
      deleteQuietly(file);
    }
  }

  /** The .jfr files in this JVM's JFR repository (chunk files of open recordings). */
  public static List<Path> repositoryChunkFiles() {
    String repository = System.getProperty("jdk.jfr.repository");
    if (repository == null) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(Path.of(repository))) {
      return files.filter(f -> f.toString().endsWith(".jfr")).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code needle} is in {@code haystack} in UTF-8, UTF-16BE or UTF-16LE. */
  public static boolean containsInAnyEncoding(byte[] haystack, String needle) {
    for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE)) {
      byte[] n = needle.getBytes(cs);
      outer:
      for (int i = 0; i + n.length <= haystack.length; i++) {
        for (int j = 0; j < n.length; j++) {
          if (haystack[i + j] != n[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }

  /**
   * Polls {@code condition} until it holds or {@code seconds} pass; the deadlines are generous
   * because tests run on busy two-core machines.
   */
  public static boolean eventually(int seconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temp file; deleteOnExit has it
    }
  }
}
