package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.TraceFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every command turns bad files and bad usage into one line and exit status 2. */
class BadInputTest {
  @TempDir static Path dir;

  static Stream<String> commands() {
    return Stream.of("summary", "tasks", "export", "repair");
  }

  private static Cli.Run run(String command, Path trace) {
    List<String> args = new ArrayList<>(List.of(command, trace.toString()));
    if (command.equals("export") || command.equals("repair")) {
      args.addAll(List.of("-o", dir.resolve(command + "-out").toString()));
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void emptyFile(String command) throws Exception {
    Path empty = Files.write(dir.resolve("empty.jfr"), new byte[0]);
    String line = run(command, empty).badInput();
    assertTrue(line.contains(empty.toString()) && line.contains("empty file"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void notJfr(String command) throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "this is not a trace\n".repeat(20), StandardCharsets.UTF_8);
    String line = run(command, text).badInput();
    assertTrue(line.contains(text.toString()) && line.contains("not a JFR trace"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void directory(String command) {
    String line = run(command, dir).badInput();
    assertTrue(line.contains(dir.toString()) && line.contains("is a directory"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void missingFile(String command) {
    Path missing = dir.resolve("missing.jfr");
    String line = run(command, missing).badInput();
    assertTrue(line.contains(missing.toString()) && line.contains("no such file"), line);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void truncatedFileSendsToRepair(String command) throws Exception {
    byte[] trace = Recordings.record(TraceOptions.defaults(), () -> Trace.log("a", "b"));
    Path truncated = Files.write(dir.resolve("truncated.jfr"), Arrays.copyOf(trace, trace.length - 10));
    if (command.equals("repair")) {
      String line = run(command, truncated).badInput(); // a single chunk, cut: nothing to keep
      assertTrue(line.contains(truncated.toString()) && line.contains("no complete chunk"), line);
    } else {
      String line = run(command, truncated).badInput();
      assertTrue(line.contains(truncated.toString()) && line.contains("truncated"), line);
      assertTrue(line.contains("no complete chunk") || line.contains("repair"), line);
    }
  }

  @Test
  void truncatedMultiChunkFileNamesTheRepairCommand() throws Exception {
    Path trace = TraceFiles.write(Recordings.record(
        TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)),
        () -> {
          for (int i = 0; i < 4; i++) {
            Trace.withRegion("r", () -> Recordings.work(60));
          }
        }));
    byte[] bytes = Files.readAllBytes(trace);
    Path truncated = Files.write(dir.resolve("cut.jfr"), Arrays.copyOf(bytes, bytes.length - 10));
    for (String command : List.of("summary", "tasks", "export")) {
      String line = run(command, truncated).badInput();
      assertTrue(line.contains("run 'livetrace repair " + truncated), line);
    }
  }

  @Test
  void badUsageExitsWithTwo() {
    assertTrue(Cli.run("summary", "--bogus", "x.jfr").badInput().contains("--bogus"));
    assertTrue(Cli.run("tasks", "x.jfr", "--min", "5parsecs").badInput().contains("5parsecs"));
    assertTrue(Cli.run("tasks", "x.jfr", "--limit", "0").badInput().contains("--limit"));
    assertTrue(Cli.run("export", "x.jfr").badInput().contains("--output"));
    assertTrue(Cli.run("summary").badInput().contains("TRACE"));
    assertTrue(Cli.run("summary", "--format", "xml", "x.jfr").badInput().contains("xml"));
    assertTrue(Cli.run("frobnicate").badInput().contains("frobnicate"));
    assertTrue(Cli.run().badInput().contains("missing command"));
  }

  @Test
  void helpOnEveryCommand() {
    for (String command : List.of("summary", "tasks", "export", "repair")) {
      Cli.Run help = Cli.run(command, "--help").ok();
      assertTrue(help.out().startsWith("Usage: livetrace " + command), help.out());
    }
    String top = Cli.run("--help").ok().out();
    for (String command : List.of("summary", "tasks", "export", "repair")) {
      assertTrue(top.contains("  " + command), top);
    }
    assertEquals(0, Cli.run("help", "tasks").exitCode());
  }
}
