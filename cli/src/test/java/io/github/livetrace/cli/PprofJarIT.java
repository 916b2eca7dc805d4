package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code livetrace pprof} from the packaged jar: the converter and its page are inside it. */
class PprofJarIT {
  @TempDir Path dir;

  @Test
  void pprofAndFlameGraphFromTheJar() throws Exception {
    Path trace;
    try (Workload w = new Workload().start("burner", 1, Workload::burnCpu)) {
      trace = Files.write(dir.resolve("trace.jfr"), Recordings.record(TraceOptions.defaults().withConfiguration("profile"), () -> Recordings.work(1500)));
    }
    Path profile = dir.resolve("cpu.pb.gz");
    String wrote = jar("pprof", trace.toString(), "--type", "cpu", "-o", profile.toString());
    assertTrue(wrote.startsWith("wrote " + profile), wrote);
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), GoPprof.raw(profile.toString()).sampleTypes());

    Path html = dir.resolve("cpu.html");
    jar("pprof", trace.toString(), "--type", "cpu", "--format", "html", "-o", html.toString());
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("const cpool = ["), "the converter's page");
  }

  private String jar(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("livetrace.jar", "target/livetrace.jar"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the jar finished");
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    return text;
  }
}
