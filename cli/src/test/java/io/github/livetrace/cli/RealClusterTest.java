package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livetrace pull} against a real cluster (kind, k3d, minikube), when {@code KUBECONFIG} names
 * one; skipped otherwise. The pods are those of {@code LIVETRACE_TEST_SELECTOR} (default {@code
 * app=coffee-shop}) in {@code LIVETRACE_TEST_NAMESPACE} (default {@code default}), serving livetrace
 * (README: Pulling from pods, a walk-through on a real cluster). Both transports are tried.
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
class RealClusterTest {
  @TempDir Path dir;

  @Test
  void aTraceFromEveryPodThroughTheApiServerAndThroughAPortForward() throws Exception {
    String namespace = System.getenv().getOrDefault("LIVETRACE_TEST_NAMESPACE", "default");
    String selector = System.getenv().getOrDefault("LIVETRACE_TEST_SELECTOR", "app=coffee-shop");
    for (String via : List.of("proxy", "port-forward")) {
      Path out = dir.resolve(via);
      Cli.Run run = Cli.run("pull", "-n", namespace, "-l", selector, "--seconds", "2", "--via", via, "-o", out.toString());
      assertEquals(0, run.exitCode(), via + ":\n" + run.out() + run.err());
      Map<String, Object> manifest = Json.object(Json.parse(Files.readString(out.resolve("manifest.json"))));
      List<Object> pods = Json.array(manifest.get("pods"));
      assertFalse(pods.isEmpty());
      for (Object p : pods) {
        Path file = out.resolve((String) Json.object(p).get("file"));
        assertFalse(TraceFiles.events(Files.readAllBytes(file), "livetrace.JVM").isEmpty(), file.toString());
      }
      assertTrue(run.out().contains("ok of"), run.out());
    }
  }
}
