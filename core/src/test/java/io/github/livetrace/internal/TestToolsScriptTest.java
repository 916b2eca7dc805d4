package io.github.livetrace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's first step, build/test-tools.sh: on a machine without go and chromium, and without
 * apt-get to install them, it stops at once and names exactly what to install.
 */
class TestToolsScriptTest {
  @TempDir Path bin;

  @Test
  void withoutTheToolsAndWithoutAptGetItNamesWhatToInstallAndFails() throws Exception {
    Path script = Path.of("..", "build", "test-tools.sh").toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(script), script.toString());
    // A PATH with only what the script itself runs: no go, no chromium, no apt-get.
    for (String tool : new String[] {"bash", "id", "env"}) {
      Path found = which(tool);
      Files.createSymbolicLink(bin.resolve(tool), found);
    }
    ProcessBuilder pb = new ProcessBuilder(which("bash").toString(), script.toString()).redirectErrorStream(true);
    pb.environment().put("PATH", bin.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("go        (go tool pprof)  Debian/Ubuntu: apt-get install golang-go"), out);
    assertTrue(out.contains("chromium  (headless)       Debian: apt-get install chromium"), out);
    assertTrue(out.contains("./mvnw -B verify -DskipTests"), out);
  }

  private static Path which(String tool) {
    for (String dir : System.getenv("PATH").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(tool + " not on the PATH");
  }
}
