package io.github.livetrace.cli;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code benchmarks/pull-fleet.sh}: {@code livetrace pull --seconds 5} from 1, 4 and 50 pods of
 * fabric8's mock API server, each pod a server that replays a recorded 5 s trace at its pace
 * (a chunk a second). The CLI runs as the executable jar in a JVM of its own, under
 * {@code /usr/bin/time}: wall time and peak RSS; the spread of the pods' start instants is that of
 * the requests' arrivals at the pods.
 *
 * <p>Args: the path of {@code livetrace.jar}, then the pod counts (default 1 4 50).
 */
public final class PullBenchmark {
  /** The CLI's heap: bounded, so that peak RSS shows what it keeps, not the garbage a large default heap lets pile up. */
  static final String HEAP = System.getProperty("heap", "256m");

  private PullBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    List<Integer> counts = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      counts.add(Integer.parseInt(args[i]));
    }
    if (counts.isEmpty()) {
      counts.addAll(List.of(1, 4, 50));
    }
    java.util.logging.Logger.getLogger("io.fabric8").setLevel(java.util.logging.Level.WARNING); // the mock server logs every request
    byte[] trace = record();
    int most = counts.stream().mapToInt(Integer::intValue).max().orElse(1);
    PodServers.Replay replay = new PodServers.Replay(trace, Integer.MAX_VALUE);
    Path dir = Files.createTempDirectory("livetrace-pull-bench");
    System.out.printf("CLI heap -Xmx%s; trace replayed by every pod: %d bytes, %d chunks%n", HEAP, trace.length, io.github.livetrace.testing.TraceFiles.chunks(trace).size());
    System.out.println("| pods | CLI process, start to exit | common instant to last byte | spread of the requests at the API server | spread of the starts at the pods | peak RSS of the CLI | pods ok | bytes written |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    try (FakeApiServer api = new FakeApiServer(); PodServers pods = new PodServers(replay, most)) {
      for (int n : counts) {
        for (int i = 0; i < n; i++) {
          api.pod("bench", String.format("shop-%d-%02d", n, i), "bench-" + n, pods.port(i), "livetrace");
        }
        replay.arrivals.clear();
        api.proxyArrivals.clear();
        Path out = dir.resolve("pods-" + n);
        Path time = dir.resolve("time-" + n);
        Process p = new ProcessBuilder("/usr/bin/time", "-f", "%e %M", "-o", time.toString(),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + HEAP, System.getProperty("cliOption", "-Dunused"), "-jar", jar.toString(),
            "pull", "--kubeconfig", api.kubeconfig(dir).toString(), "-n", "bench", "-l", "app=bench-" + n,
            "--seconds", "5", "-o", out.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("out-" + n + ".txt").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("the pull of " + n + " pods did not finish");
        }
        String[] measured = Files.readString(time, StandardCharsets.UTF_8).strip().split("\\s+");
        String report = Files.readString(dir.resolve("out-" + n + ".txt"));
        long ok = Files.readString(out.resolve("manifest.json")).split("\"outcome\": \"ok\"", -1).length - 1;
        String after = report.lines().filter(l -> l.startsWith("done ")).findFirst().orElse("done ? s").split(" ")[1];
        long spread = spread(replay.arrivals);
        long apiSpread = spread(api.proxyArrivals);
        long bytes;
        try (var files = Files.list(out)) {
          bytes = files.filter(f -> f.toString().endsWith(".jfr")).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("| %d | %s s | %s s | %d ms | %d ms | %.0f MB | %d of %d | %.1f MB |%n", n, measured[measured.length - 2], after, apiSpread, spread,
            Long.parseLong(measured[measured.length - 1]) / 1024.0, ok, n, bytes / 1e6);
        if (p.exitValue() != 0) {
          System.out.println(report);
        }
      }
    }
  }

  private static long spread(List<Long> nanos) {
    return (nanos.stream().mapToLong(Long::longValue).max().orElse(0) - nanos.stream().mapToLong(Long::longValue).min().orElse(0)) / 1_000_000;
  }

  /** A 5 s trace of a small workload, in 1 s chunks: what a pod would stream. */
  private static byte[] record() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var session = Trace.start(out, TraceOptions.defaults().withDuration(Duration.ofSeconds(5)));
    while (session.isActive()) {
      Trace.log("order", "a latte for Ann");
      Thread.sleep(5); // a workload's pace
    }
    session.awaitTermination(Duration.ofSeconds(30));
    return out.toByteArray();
  }
}
