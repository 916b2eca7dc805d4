package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.containsInAnyEncoding;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.ChildJvm;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret planted in an environment variable, a system property and a program argument never
 * appears in a default trace. The control run turns the sensitive events back on and finds all
 * three, which shows that the search would see them.
 */
class SecretsTest {
  private final String envSecret = "env-" + UUID.randomUUID();
  private final String propertySecret = "prop-" + UUID.randomUUID();
  private final String argumentSecret = "arg-" + UUID.randomUUID();

  @Test
  void plantedSecretsNeverAppearInADefaultTrace(@TempDir Path dir) throws Exception {
    byte[] trace = traceOfChildWithSecrets(dir.resolve("default.jfr"), "default");
    String printed = jfr(trace, "print");
    assertTrue(printed.contains("probe-marker"), "the trace holds the child's own log event");
    for (String secret : List.of(envSecret, propertySecret, argumentSecret)) {
      assertFalse(containsInAnyEncoding(trace, secret), "secret in the trace bytes: " + secret);
      assertFalse(printed.contains(secret), "secret in jfr print: " + secret);
    }
  }

  @Test
  void controlWithSensitiveEventsTurnedOnFindsEverySecret(@TempDir Path dir) throws Exception {
    byte[] trace = traceOfChildWithSecrets(dir.resolve("control.jfr"), "control");
    String printed = jfr(trace, "print");
    for (String secret : List.of(envSecret, propertySecret, argumentSecret)) {
      assertTrue(printed.contains(secret), "control run should show " + secret);
    }
  }

  private byte[] traceOfChildWithSecrets(Path file, String mode) throws Exception {
    ChildJvm.Result result =
        ChildJvm.run(
            List.of("-Dplanted.password=" + propertySecret),
            Map.of("PLANTED_API_KEY", envSecret),
            SecretProbe.class,
            file.toString(),
            mode,
            "--token=" + argumentSecret);
    assertEquals(0, result.exitCode(), result.output());
    byte[] trace = Files.readAllBytes(file);
    assertFalse(events(trace, "livetrace.Log").isEmpty());
    return trace;
  }

  /** Records two chunks of a trace to the file in args[0]; args[1] is default or control. */
  public static final class SecretProbe {
    public static void main(String[] args) throws Exception {
      TraceOptions options = TraceOptions.defaults().withChunkInterval(java.time.Duration.ofMillis(200));
      if (args[1].equals("control")) {
        for (String event : List.of("jdk.InitialEnvironmentVariable", "jdk.InitialSystemProperty", "jdk.JVMInformation")) {
          options = options.withSetting(event + "#enabled", "true");
        }
      }
      try (OutputStream out = Files.newOutputStream(Path.of(args[0]))) {
        TraceSession session = Trace.start(out, options);
        Trace.log("probe", "probe-marker");
        if (!eventually(60, () -> session.chunksWritten() >= 2)) {
          throw new AssertionError("no chunks");
        }
        Trace.stop();
      }
    }
  }
}
