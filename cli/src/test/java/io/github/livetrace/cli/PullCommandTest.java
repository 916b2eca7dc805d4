package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.servlet.PprofServlet;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.TraceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livetrace pull} against fabric8's mock Kubernetes API server, whose pods/proxy reaches real
 * livetrace endpoints on loopback: two pods are two real JVMs (this one and a child), others
 * replay a recorded trace at its pace, cut it, run another tool, or are not there.
 */
class PullCommandTest {
  private static FakeApiServer api;
  private static PodServers local; // two ports: two pods served by this JVM
  private static PodServers.ChildPod child;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    api = new FakeApiServer();
    local = new PodServers(PprofServlet.builder().maxDuration(Duration.ofSeconds(10)).build(), 2);
    child = new PodServers.ChildPod();
    Trace.warmUp().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    child.close();
    local.close();
    api.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    api.forbidden.clear();
    api.deniedSubresources.clear();
    api.client.pods().inAnyNamespace().delete();
    api.client.apps().deployments().inAnyNamespace().delete();
  }

  private Cli.Run pull(String... args) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("pull", "--kubeconfig", api.kubeconfig(dir).toString(), "-o", dir.resolve("out").toString()));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  private Map<String, Object> manifest() throws Exception {
    return Json.object(Json.parse(Files.readString(dir.resolve("out/manifest.json"))));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> pod(Map<String, Object> manifest, String name) {
    return ((List<Map<String, Object>>) manifest.get("pods")).stream().filter(p -> name.equals(p.get("pod"))).findFirst().orElseThrow();
  }

  @Test
  void aTraceOverOneWallClockWindowFromEveryPodOfADeployment() throws Exception {
    api.pod("shop", "coffee-a", "coffee", local.port(0), "http");
    api.pod("shop", "coffee-b", "coffee", child.port, "livetrace");
    api.pod("shop", "tea-a", "tea", local.port(1), "http");
    api.deployment("shop", "coffee", "coffee");

    Cli.Run run = pull("deploy/coffee", "--seconds", "1.5", "--merge");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals("", run.err(), "quiet when stderr is not a terminal");

    Map<String, Object> manifest = manifest();
    assertEquals("trace", manifest.get("what"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pods = (List<Map<String, Object>>) manifest.get("pods");
    assertEquals(List.of("coffee-a", "coffee-b"), pods.stream().map(p -> p.get("pod")).toList(), "the deployment's pods, not tea");
    long[] pids = new long[2];
    for (int i = 0; i < 2; i++) {
      Map<String, Object> p = pods.get(i);
      assertEquals("ok", p.get("outcome"), p.toString());
      assertEquals("shop", p.get("namespace"));
      assertEquals("node-1", p.get("node"));
      assertEquals("shop", p.get("container"));
      assertEquals(api.client.pods().inNamespace("shop").withName((String) p.get("pod")).get().getMetadata().getUid(), p.get("uid"));
      assertEquals(Map.of("app", "coffee"), p.get("labels"));
      assertNotNull(p.get("jvmStartTime"), "from the trace's livetrace.JVM event");
      String file = (String) p.get("file");
      assertTrue(file.matches("shop_" + p.get("pod") + "_\\d{8}T\\d{6}Z\\.jfr"), file);
      byte[] trace = Files.readAllBytes(dir.resolve("out").resolve(file));
      assertEquals(((Number) p.get("bytes")).longValue(), trace.length);
      List<RecordedEvent> jvm = TraceFiles.events(trace, "livetrace.JVM");
      assertFalse(jvm.isEmpty(), "every chunk names its JVM");
      pids[i] = jvm.get(0).getLong("pid");
      // The recording starts when the request arrives: within the API server's way there of the instant.
      long offset = ((Number) p.get("startOffsetMillis")).longValue();
      assertTrue(offset > -2000 && offset < 10_000, "start offset " + offset + " ms");
    }
    assertNotEquals(pids[0], pids[1], "two pods, two JVMs");
    assertTrue(manifest.containsKey("startSpreadMillis"));
    assertTrue(run.out().contains("2 ok of 2 pods; recordings started within"), run.out());

    Path merged;
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      merged = files.filter(f -> f.getFileName().toString().startsWith("shop_merged_")).findFirst().orElseThrow();
    }
    List<RecordedEvent> jvms = TraceFiles.events(Files.readAllBytes(merged), "livetrace.JVM");
    assertEquals(2, jvms.stream().map(e -> e.getLong("pid")).distinct().count(), "the merged file holds both JVMs' chunks");
  }

  @Test
  void everyPodHasItsOwnOutcomeAndNoneStopsTheOthers() throws Exception {
    byte[] recorded = Recordings.recordChunks(TraceOptions.defaults().withChunkInterval(Duration.ofMillis(250)), 4, () -> {
      Trace.log("replay", "x");
      TimeUnit.MILLISECONDS.sleep(5); // a workload's pace, not a wait for anything
    });
    PodServers cut = closing(new PodServers(new PodServers.Replay(recorded, 2), 1));
    PodServers other = closing(new PodServers(new PodServers.OtherTool(200, "<html>metrics</html>"), 1));
    PodServers missing = closing(new PodServers(new PodServers.OtherTool(404, "not found"), 1));
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    api.pod("shop", "a-ok", "shop", child.port, "livetrace");
    api.pod("shop", "b-busy", "shop", local.port(0), "livetrace");
    api.pod("shop", "c-cut", "shop", cut.port(), "livetrace");
    api.pod("shop", "d-other-tool", "shop", other.port(), "livetrace");
    api.pod("shop", "e-no-livetrace", "shop", missing.port(), "livetrace");
    api.pod("shop", "f-gone", "shop", closedPort, "livetrace");
    api.pod("shop", "g-denied", "shop", local.port(1), "livetrace");
    api.pod("shop", "h-pending", "shop", local.port(1), "livetrace", "Pending");
    api.forbidden.add("g-denied");

    Trace.start(java.io.OutputStream.nullOutputStream(), TraceOptions.defaults().withDuration(Duration.ofSeconds(30)));
    Cli.Run run;
    try {
      run = pull("-l", "app=shop", "--seconds", "2");
    } finally {
      Trace.stop();
    }
    assertEquals(PullCommand.EXIT_SOME_FAILED, run.exitCode(), run.out() + run.err());
    Map<String, Object> m = manifest();
    assertEquals("ok", pod(m, "a-ok").get("outcome"));
    assertEquals("busy", pod(m, "b-busy").get("outcome"));
    assertTrue(((String) pod(m, "b-busy").get("message")).contains("Retry-After"), pod(m, "b-busy").toString());
    Map<String, Object> c = pod(m, "c-cut");
    assertEquals("cut", c.get("outcome"), c.toString());
    assertTrue(((String) c.get("file")).endsWith(".jfr.partial"), c.toString());
    Path partial = dir.resolve("out").resolve((String) c.get("file"));
    assertTrue(Files.size(partial) > 0, "the chunks that came are kept");
    Cli.Run repaired = Cli.run("repair", partial.toString(), "-o", dir.resolve("repaired.jfr").toString());
    assertEquals(0, repaired.exitCode(), repaired.out() + repaired.err());
    assertEquals(2, TraceFiles.chunks(Files.readAllBytes(dir.resolve("repaired.jfr"))).size(), "repair salvages the two chunks sent");
    assertEquals("not serving livetrace", pod(m, "d-other-tool").get("outcome"));
    assertEquals("not serving livetrace", pod(m, "e-no-livetrace").get("outcome"));
    assertEquals("unreachable", pod(m, "f-gone").get("outcome"));
    assertTrue(((String) pod(m, "f-gone").get("message")).contains("error trying to reach service"), pod(m, "f-gone").toString());
    assertEquals("denied", pod(m, "g-denied").get("outcome"));
    assertTrue(((String) pod(m, "g-denied").get("message")).contains("cannot get resource \"pods/proxy\""), pod(m, "g-denied").toString());
    assertEquals("unreachable", pod(m, "h-pending").get("outcome"));
    assertTrue(run.out().contains("1 ok"), run.out());
  }

  @Test
  void aSecondsAboveThePodsCapShowsThePodsOwnAnswer() throws Exception {
    api.pod("shop", "capped", "shop", local.port(0), "livetrace");
    Cli.Run run = pull("capped", "--seconds", "30");
    assertEquals(LivetraceCli.EXIT_FAILURE, run.exitCode(), run.out() + run.err());
    Map<String, Object> p = pod(manifest(), "capped");
    assertEquals("refused", p.get("outcome"));
    assertTrue(((String) p.get("message")).startsWith("400: "), p.toString());
    assertTrue(run.out().contains("at most 10"), "the pod's own 400 text: " + run.out());
  }

  @Test
  void theTotalByteCapCutsThePodThatPassesItAndKeepsWhatCame() throws Exception {
    api.pod("shop", "big", "shop", child.port, "livetrace");
    Cli.Run run = pull("big", "--seconds", "2", "--max-bytes", "100KB");
    assertEquals(LivetraceCli.EXIT_FAILURE, run.exitCode(), run.out() + run.err());
    Map<String, Object> p = pod(manifest(), "big");
    assertEquals("cut", p.get("outcome"), p.toString());
    assertTrue(((String) p.get("message")).contains("--max-bytes"), p.toString());
    Path partial = dir.resolve("out").resolve((String) p.get("file"));
    assertTrue(partial.toString().endsWith(".jfr.partial"), partial.toString());
    long size = Files.size(partial);
    assertTrue(size > 100 * 1024 && size <= 100 * 1024 + 64 * 1024, "stops within a read of the cap: " + size);
  }

  @Test
  void theTokenReachesThePodThroughTheApiServerWhichKeepsAuthorizationForItself() throws Exception {
    try (PodServers.ChildPod guarded = new PodServers.ChildPod("s3cret-token")) {
      api.pod("shop", "guarded", "shop", guarded.port, "livetrace");
      Cli.Run without = pull("guarded", "--seconds", "1");
      assertEquals("denied", pod(manifest(), "guarded").get("outcome"), without.out());
      assertTrue(without.out().contains("401"), without.out());

      Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
      Cli.Run with = pull("guarded", "--seconds", "1", "--token-file", token.toString());
      assertEquals(0, with.exitCode(), with.out() + with.err());
      assertEquals("yes", api.proxiedHeaders.get("guarded").get("Authorization (removed)"), "the client authenticated to the API server");
      assertEquals("s3cret-token", api.proxiedHeaders.get("guarded").get("X-Livetrace-Token"));
    }
  }

  @Test
  void aWindowAndItsSnapshotsFromEveryPod() throws Exception {
    FlightRecorder recorder =
        new FlightRecorder(FlightRecorderOptions.defaults().withMinAge(Duration.ofSeconds(1)).withSnapshotDirectory(dir.resolve("store")));
    recorder.start();
    try {
      Trace.log("window", "before");
      recorder.snapshot("health-check-failed").get(60, TimeUnit.SECONDS);
      api.pod("shop", "recorder", "shop", local.port(0), "livetrace");
      Cli.Run run = pull("recorder", "--window", "--snapshots");
      assertEquals(0, run.exitCode(), run.out() + run.err());
      Map<String, Object> p = pod(manifest(), "recorder");
      assertEquals("ok", p.get("outcome"));
      assertTrue(p.containsKey("endOffsetMillis"), p.toString());
      byte[] window = Files.readAllBytes(dir.resolve("out").resolve((String) p.get("file")));
      assertEquals(TraceFiles.chunks(window).size(), TraceFiles.events(window, "livetrace.JVM").size(), "a window, each chunk naming its JVM");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> snapshots = (List<Map<String, Object>>) p.get("snapshots");
      assertEquals(1, snapshots.size(), p.toString());
      Path snapshot = dir.resolve("out").resolve((String) snapshots.get(0).get("file"));
      assertTrue(snapshot.getFileName().toString().startsWith("shop_recorder_") && snapshot.toString().endsWith("health-check-failed.jfr"), snapshot.toString());
      assertFalse(TraceFiles.chunks(Files.readAllBytes(snapshot)).isEmpty());
    } finally {
      recorder.stop();
    }
  }

  @Test
  void theSameProfileFromEveryPodReadsInGoToolPprof() throws Exception {
    api.pod("shop", "p1", "shop", local.port(0), "livetrace");
    api.pod("shop", "p2", "shop", child.port, "livetrace");
    Cli.Run run = pull("-l", "app=shop", "--profile", "cpu", "--seconds", "1");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    for (String name : List.of("p1", "p2")) {
      Map<String, Object> p = pod(manifest(), name);
      assertTrue(((String) p.get("file")).endsWith(".pb.gz"), p.toString());
      GoPprof.Raw raw = GoPprof.raw(Files.readAllBytes(dir.resolve("out").resolve((String) p.get("file"))));
      assertEquals("samples/count", raw.sampleTypes().get(0), name);
    }
  }

  @Test
  void aDeniedAccessReviewNamesTheVerbNamespaceAndResource() throws Exception {
    api.pod("shop", "any", "shop", local.port(0), "livetrace");
    api.deniedSubresources.add("proxy");
    String line = pull("any", "--seconds", "1").badInput();
    assertTrue(line.contains("not allowed to get pods/proxy in namespace shop"), line);
    api.deniedSubresources.add("portforward");
    line = pull("any", "--seconds", "1", "--via", "port-forward").badInput();
    assertTrue(line.contains("not allowed to get pods/portforward in namespace shop") && line.contains("create pods/portforward"), line);
  }

  @Test
  void noPodMatchesNamesTheNamespaceAndSelector() throws Exception {
    String line = pull("-n", "kitchen", "-l", "app=oven", "--seconds", "1").badInput();
    assertTrue(line.endsWith("no pod matches in namespace kitchen with selector app=oven"), line);
    line = pull("deploy/nothing", "--seconds", "1").badInput();
    assertTrue(line.contains("no deploy nothing in namespace shop"), line);
  }

  @Test
  void badUsageIsOneLineAndExitTwo() throws Exception {
    assertTrue(pull("x").badInput().contains("--seconds N (a trace), --window, or --profile KIND"));
    assertTrue(pull("x", "--seconds", "1", "--snapshots").badInput().contains("--snapshots goes with --window"));
    assertTrue(pull("x", "--seconds", "-1").badInput().contains("--seconds must be a number above 0"));
  }

  @Test
  void withoutAnyKubernetesConfigurationItNamesKubeconfigAndInCluster() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("KUBECONFIG") == null
            && !Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"))
            && System.getenv("KUBERNETES_SERVICE_HOST") == null,
        "this machine has a Kubernetes configuration");
    String line = Cli.run("pull", "-l", "app=x", "--seconds", "1").badInput();
    assertTrue(line.contains("KUBECONFIG") && line.contains("in-cluster"), line);
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  @SuppressWarnings("unused")
  private static Map<String, String> map() {
    return new HashMap<>();
  }
}
