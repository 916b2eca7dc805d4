package io.github.livetrace.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a fresh JVM, for what one JVM cannot show. */
public final class ChildJvm {
  /** What the child printed (stdout and stderr) and how it exited. */
  public record Result(int exitCode, String output) {}

  private ChildJvm() {}

  public static Result run(List<String> jvmArgs, Map<String, String> env, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile("livetrace-child-", ".txt");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
          p.destroyForcibly();
        }
        assertTrue(done, "child JVM did not finish: " + command);
        return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
