package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.BadInputException;
import io.github.livetrace.cli.internal.Fleet;
import io.github.livetrace.cli.internal.TraceSummary;
import io.github.livetrace.cli.internal.fleet.AccessReview;
import io.github.livetrace.cli.internal.fleet.Cluster;
import io.github.livetrace.cli.internal.fleet.FleetPull;
import io.github.livetrace.cli.internal.fleet.Manifest;
import io.github.livetrace.cli.internal.fleet.Outcome;
import io.github.livetrace.cli.internal.fleet.Pod;
import io.github.livetrace.cli.internal.fleet.Transport;
import io.github.livetrace.internal.ByteSizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code livetrace pull}: the same live trace, flight-recorder window or profile from every pod
 * that kubectl's way of choosing pods names, through the Kubernetes API.
 */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Pulls one time-aligned trace (--seconds N), flight-recorder window (--window) or profile"
          + " (--profile KIND) from many pods through the Kubernetes API: every pod is asked at one"
          + " instant, each answer streams to NAMESPACE_POD_TIME.jfr (or .pb.gz) in the output"
          + " directory, and manifest.json says what came from where. Pods are chosen as kubectl"
          + " chooses them; the kubeconfig, context and in-cluster configuration are kubectl's.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  livetrace pull -n shop deploy/coffee --seconds 5 -o pull/",
      "  livetrace pull -n shop -l app=coffee --window --snapshots",
      "  livetrace pull -n shop coffee-7d9f-abcde coffee-7d9f-fghij --profile cpu --seconds 30",
      "",
      "The endpoint's token: --token-file FILE or the LIVETRACE_TOKEN environment variable; it is sent"
          + " as X-Livetrace-Token, since the API server keeps Authorization for itself.",
      "Exit status: 0 every pod ok, 3 some pods failed (see manifest.json), 1 every pod failed,"
          + " 2 bad usage or bad input (no pod matches, no Kubernetes configuration, access denied)."
    })
final class PullCommand implements Callable<Integer> {
  /** Exit status when some pods, not all, failed. */
  static final int EXIT_SOME_FAILED = 3;

  /** {@code --profile} kinds: Go's names, and the endpoint each is served at. */
  enum ProfileKind {
    CPU("profile"),
    ALLOC("allocs"),
    HEAP("heap"),
    MUTEX("mutex"),
    BLOCK("block"),
    GOROUTINE("goroutine");

    final String endpoint;

    ProfileKind(String endpoint) {
      this.endpoint = endpoint;
    }
  }

  enum Via {
    PROXY,
    PORT_FORWARD
  }

  /** {@code proxy} or {@code port-forward}, as kubectl spells it. */
  static final class ViaConverter implements picocli.CommandLine.ITypeConverter<Via> {
    @Override
    public Via convert(String value) {
      try {
        return Via.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("expected proxy or port-forward, was '" + value + "'");
      }
    }
  }

  @Parameters(paramLabel = "TARGET", arity = "0..*", description = "pods: NAME or pod/NAME, deploy/NAME, statefulset/NAME, daemonset/NAME")
  private List<String> targets = new ArrayList<>();

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "the namespace (default: the context's, else default)")
  private String namespace;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "a label selector, as kubectl's: app=shop,tier!=cache")
  private String selector;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "the kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)")
  private Path kubeconfig;

  @Option(names = "--context", paramLabel = "CONTEXT", description = "the kubeconfig context (default: the current one)")
  private String context;

  @Option(names = "--seconds", paramLabel = "N", description = "a live trace of N seconds from every pod (with --profile: the profile's duration, default 30)")
  private Double seconds;

  @Option(names = "--window", description = "every pod's flight-recorder window, cut at the same instant")
  private boolean window;

  @Option(names = "--snapshots", description = "with --window: also every snapshot each pod's flight recorder kept")
  private boolean snapshots;

  @Option(names = "--profile", paramLabel = "KIND", description = "a profile from every pod: cpu, alloc, heap, mutex, block or goroutine (pprof, .pb.gz)")
  private ProfileKind profile;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = ".", description = "where the files go (created; default: the current directory)")
  private Path output;

  @Option(names = "--via", paramLabel = "TRANSPORT", defaultValue = "proxy", converter = ViaConverter.class,
      description = "proxy (the API server's pods/proxy, default) or port-forward")
  private Via via;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "the port when no container port is named livetrace, management or http")
  private int port;

  @Option(names = "--base-path", paramLabel = "PATH", defaultValue = "/debug/pprof", description = "where livetrace is served in the pods (default /debug/pprof)")
  private String basePath;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "64", description = "pods pulled at once, 1 to 1000 (default 64); pods past it start later")
  private int parallel;

  @Option(names = "--max-bytes", paramLabel = "SIZE", defaultValue = "1GB", description = "cap on all bytes written; a pod that passes it is cut (default 1GB)")
  private String maxBytes;

  @Option(names = "--lead", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "how far ahead the common instant is set, so that every request is ready (default 1s)")
  private Duration lead;

  @Option(names = "--token-file", paramLabel = "FILE", description = "the endpoint's token (default: LIVETRACE_TOKEN)")
  private Path tokenFile;

  @Option(names = "--merge", description = "also write every pod's complete .jfr into one file, NAMESPACE_merged_TIME.jfr")
  private boolean merge;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FleetPull.Request request = request();
    long cap = bytes();
    if (parallel < 1 || parallel > 1000) {
      throw new ParameterException(spec.commandLine(), "--parallel must be 1 to 1000, was " + parallel);
    }
    String token = token();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Cluster cluster = Cluster.connect(kubeconfig, context, namespace)) {
      List<Pod> pods = cluster.pods(targets, selector, port);
      Transport.Via transport = via == Via.PROXY ? Transport.Via.PROXY : Transport.Via.PORT_FORWARD;
      List<String> missing = AccessReview.missing(cluster.client(), cluster.namespace(), AccessReview.needed(transport));
      if (!missing.isEmpty()) {
        throw new BadInputException(
            "access denied: " + String.join("; ", missing) + ". Ask for a Role with these verbs (README: Pulling from pods)"
                + (transport == Transport.Via.PROXY ? ", or try --via port-forward" : ""));
      }
      Files.createDirectories(output);
      StatusBoard board = StatusBoard.forStderr(err, pods);
      FleetPull pull = new FleetPull(Transport.of(transport, cluster.client(), basePath, token), output, parallel, cap, board);
      List<FleetPull.Result> results;
      try {
        results = pull.pull(pods, request);
      } finally {
        board.close();
      }
      Duration took = Duration.between(pull.instant(), java.time.Instant.now());
      Fleet fleet = pulled(results);
      if (fleet != null) {
        results = FleetPull.withJvmStartTimes(results, fleet);
      }
      Path manifest = Manifest.write(output, request, pull.instant(), results);
      report(out, request, results, manifest);
      out.printf(Locale.ROOT, "done %.2f s after the common instant%n", took.toMillis() / 1000.0);
      if (fleet != null) {
        // The pods' traces as one, read as 'livetrace summary DIR' reads them: each task type per
        // JVM, the ones that stand out marked.
        out.println();
        new SummaryReport(fleet, TraceSummary.of(fleet)).text(out, false);
      }
      if (merge && request.jfr()) {
        Path merged = merge(results, output.resolve(cluster.namespace() + "_merged_" + FleetPull.fileTime(pull.instant()) + ".jfr"));
        if (merged != null) {
          out.println("merged: " + merged);
        }
      }
      out.flush();
      long ok = results.stream().filter(r -> r.outcome() == Outcome.OK).count();
      return ok == results.size() ? 0 : ok == 0 ? LivetraceCli.EXIT_FAILURE : EXIT_SOME_FAILED;
    }
  }

  private FleetPull.Request request() {
    int chosen = (profile != null ? 1 : 0) + (window ? 1 : 0) + (profile == null && !window && seconds != null ? 1 : 0);
    if (chosen != 1 || (window && seconds != null)) {
      throw new ParameterException(spec.commandLine(), "say what to pull: --seconds N (a trace), --window, or --profile KIND [--seconds N]");
    }
    if (snapshots && !window) {
      throw new ParameterException(spec.commandLine(), "--snapshots goes with --window");
    }
    if (seconds != null && !(seconds > 0 && seconds <= 3600)) {
      throw new ParameterException(spec.commandLine(), "--seconds must be a number above 0 and at most 3600, was " + seconds);
    }
    String s = seconds == null ? null : (seconds == Math.rint(seconds) ? String.valueOf(seconds.longValue()) : String.valueOf(seconds));
    if (window) {
      return new FleetPull.Request("window", "flightrecorder", ".jfr", snapshots, lead);
    }
    if (profile != null) {
      String path = profile == ProfileKind.GOROUTINE ? "goroutine" : profile.endpoint + "?seconds=" + (s == null ? "30" : s);
      return new FleetPull.Request(profile.name().toLowerCase(Locale.ROOT) + " profile", path, ".pb.gz", false, lead);
    }
    return new FleetPull.Request("trace", "trace?seconds=" + s, ".jfr", false, lead);
  }

  private long bytes() {
    try {
      return ByteSizes.parse(maxBytes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--max-bytes: " + e.getMessage());
    }
  }

  private String token() throws BadInputException {
    if (tokenFile != null) {
      try {
        String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        return t.isEmpty() ? null : t;
      } catch (IOException e) {
        throw new BadInputException("cannot read the token file " + tokenFile + ": " + e.getMessage());
      }
    }
    String env = System.getenv("LIVETRACE_TOKEN");
    return env == null || env.isBlank() ? null : env.strip();
  }

  private static void report(PrintWriter out, FleetPull.Request request, List<FleetPull.Result> results, Path manifest) {
    String offsetLabel = request.trace() ? "START" : request.jfr() ? "END" : "";
    out.printf("%-40s %-22s %12s %8s  %s%n", "POD", "OUTCOME", "BYTES", offsetLabel, "FILE OR REASON");
    for (FleetPull.Result r : results) {
      out.printf(
          "%-40s %-22s %12d %8s  %s%n",
          r.pod().namespace() + "/" + r.pod().name(),
          r.outcome().label(),
          r.bytes(),
          r.offsetMillis() == null ? "" : (r.offsetMillis() >= 0 ? "+" : "") + r.offsetMillis() + "ms",
          r.outcome() == Outcome.OK ? r.file().getFileName() + snapshots(r) : (r.file() != null ? r.file().getFileName() + ": " : "") + r.message());
    }
    Map<Outcome, Long> counts = new LinkedHashMap<>();
    results.forEach(r -> counts.merge(r.outcome(), 1L, Long::sum));
    StringBuilder line = new StringBuilder();
    counts.forEach((o, n) -> line.append(line.length() == 0 ? "" : ", ").append(n).append(' ').append(o.label()));
    out.println(line + " of " + results.size() + " pods" + spread(request, results) + "; manifest: " + manifest);
  }

  private static String snapshots(FleetPull.Result r) {
    return r.snapshots().isEmpty() ? "" : " and " + r.snapshots().size() + " snapshot" + (r.snapshots().size() == 1 ? "" : "s");
  }

  private static String spread(FleetPull.Request request, List<FleetPull.Result> results) {
    Long spread = Manifest.spreadMillis(results);
    if (spread == null) {
      return "";
    }
    return "; " + (request.trace() ? "recordings started" : "windows ended") + " within " + spread + " ms of each other";
  }

  /** The complete traces pulled, read as one (the reader every command uses), or null for none. */
  private static Fleet pulled(List<FleetPull.Result> results) throws Exception {
    List<Path> files = results.stream().filter(r -> r.outcome() == Outcome.OK && r.file() != null
        && r.file().toString().endsWith(".jfr")).map(FleetPull.Result::file).toList();
    return files.isEmpty() ? null : Fleet.open(files, note -> {});
  }

  /** Every complete .jfr, chunk after chunk: concatenated JFR files are a JFR file. */
  private static Path merge(List<FleetPull.Result> results, Path target) throws IOException {
    List<Path> files = results.stream().filter(r -> r.outcome() == Outcome.OK && r.file() != null).map(FleetPull.Result::file).toList();
    if (files.isEmpty()) {
      return null;
    }
    try (OutputStream out = Files.newOutputStream(target)) {
      for (Path f : files) {
        try (InputStream in = Files.newInputStream(f)) {
          in.transferTo(out);
        }
      }
    }
    return target;
  }
}
