package io.github.livetrace.cli.internal.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import io.github.livetrace.cli.internal.Fleet;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Pulls the same thing from every pod at one instant, each answer streamed to a file of its own.
 *
 * <p>Every pod's request is scheduled for one instant, a moment ahead so that every request can be
 * ready; the trace endpoint answers as soon as its recording runs, so each pod's first chunk
 * starts within the request's way there of that instant, and the result says how far (from the
 * chunk's own start time, the pod's clock). Pods' outcomes are their own: a busy, unreachable,
 * denied or cut pod never stops the others. A cut answer stays as {@code .partial}, whose
 * complete chunks {@code livetrace repair} salvages.
 */
public final class FleetPull {
  private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] JFR_MAGIC = {'F', 'L', 'R', 0};
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * What to pull.
   *
   * @param path below the base path, with its query: {@code trace?seconds=5}, {@code flightrecorder}
   * @param extension of the files: {@code .jfr} or {@code .pb.gz}
   * @param snapshots also fetch every snapshot the pod's flight recorder kept
   * @param lead how long before the instant the requests are scheduled
   */
  public record Request(String what, String path, String extension, boolean snapshots, Duration lead) {
    /** Whether the answers are JFR files (traces, windows). */
    public boolean jfr() {
      return extension.equals(".jfr");
    }

    /** Whether it is a live trace, whose start is aligned. */
    public boolean trace() {
      return path.startsWith("trace?");
    }
  }

  /** A snapshot fetched from a pod. */
  public record Snapshot(String name, Path file, long bytes) {}

  /**
   * One pod's result.
   *
   * @param file what was written ({@code .partial} when cut), or null
   * @param offsetMillis for a trace, its first chunk's start minus the instant; for a window, its
   *     last chunk's end minus the instant (the pod's clock); null when not known
   * @param jvmStartTime the JVM's start, from the trace's {@code livetrace.JVM} event or, for
   *     profiles, the container's start
   * @param message why, for any outcome but ok
   */
  public record Result(
      Pod pod,
      Outcome outcome,
      Path file,
      long bytes,
      Long offsetMillis,
      Instant jvmStartTime,
      String message,
      List<Snapshot> snapshots) {}

  /** Told how each pod's pull goes, for a progress display. */
  public interface Progress {
    void update(Pod pod, String state, long bytes);

    Progress NONE = (pod, state, bytes) -> {};
  }

  private final Transport transport;
  private final Path directory;
  private final int parallel;
  private final long maxBytes;
  private final Progress progress;
  private final AtomicLong written = new AtomicLong();
  private volatile Instant instant;

  /**
   * @param parallel how many pods are pulled at once (1 to 1000)
   * @param maxBytes the cap on all bytes written; a pod whose answer passes it is cut
   */
  public FleetPull(Transport transport, Path directory, int parallel, long maxBytes, Progress progress) {
    this.transport = transport;
    this.directory = directory;
    this.parallel = parallel;
    this.maxBytes = maxBytes;
    this.progress = progress;
  }

  /** The instant as file names give it: {@code 20261205T063000Z}. */
  public static String fileTime(Instant instant) {
    return FILE_TIME.format(instant);
  }

  /** The instant every pod was asked at; set by {@link #pull}. */
  public Instant instant() {
    return instant;
  }

  /** Pulls {@code request} from every pod; returns once every pod has its outcome, in the pods' order. */
  public List<Result> pull(List<Pod> pods, Request request) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, pods.size()), r -> {
      Thread t = new Thread(r, "livetrace pull");
      t.setDaemon(true);
      return t;
    });
    try {
      instant = Instant.now().plus(request.lead());
      long at = System.nanoTime() + request.lead().toNanos();
      List<Future<Result>> futures = new ArrayList<>();
      for (Pod pod : pods) {
        progress.update(pod, "waiting", 0);
        // A trace is asked for at once with the instant as its start (&start=): each pod waits
        // for it on its own clock, so that requests that take their time on the way (200 ms over
        // 50 pods through an API server on a busy machine) still start together. Windows and
        // profiles are asked for at the instant, each thread waiting on a timer of its own.
        futures.add(pool.submit(() -> {
          for (long left = at - System.nanoTime(); left > 0 && !request.trace(); left = at - System.nanoTime()) {
            LockSupport.parkNanos(left);
          }
          return pullOne(pod, request);
        }));
      }
      List<Result> results = new ArrayList<>();
      for (int i = 0; i < pods.size(); i++) {
        try {
          results.add(futures.get(i).get());
        } catch (ExecutionException e) {
          results.add(new Result(pods.get(i), Outcome.UNREACHABLE, null, 0, null, null, String.valueOf(e.getCause()), List.of()));
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private Result pullOne(Pod pod, Request request) {
    Result result = fetch(pod, request);
    progress.update(pod, result.outcome().label(), result.bytes());
    return result;
  }

  private Result fetch(Pod pod, Request request) {
    if (!pod.running()) {
      return failed(pod, Outcome.UNREACHABLE, "the pod is not running");
    }
    if (pod.port() == 0) {
      return failed(pod, Outcome.NOT_SERVING, "no container port is named " + String.join(", ", Cluster.PORT_NAMES) + "; give --port");
    }
    progress.update(pod, "asking", 0);
    Path file = directory.resolve(pod.namespace() + "_" + pod.name() + "_" + FILE_TIME.format(instant) + request.extension());
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    String path = request.trace() ? request.path() + "&start=" + instant.toEpochMilli() : request.path();
    try (Transport.Answer answer = transport.get(pod, path, null)) {
      Result refused = classify(pod, answer);
      if (refused != null) {
        return refused;
      }
      progress.update(pod, "pulling", 0);
      long bytes = 0;
      byte[] buffer = new byte[64 * 1024];
      byte[] magic = request.jfr() ? JFR_MAGIC : GZIP_MAGIC;
      try (OutputStream out = Files.newOutputStream(partial)) {
        InputStream in = answer.body();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (bytes < magic.length && !startsWith(buffer, n, bytes, magic)) {
            out.close();
            Files.deleteIfExists(partial);
            return failed(pod, Outcome.NOT_SERVING, "the answer is not " + (request.jfr() ? "a JFR file" : "a gzipped pprof profile") + ": another tool on port " + pod.port());
          }
          out.write(buffer, 0, n);
          bytes += n;
          progress.update(pod, "pulling", bytes);
          if (written.addAndGet(n) > maxBytes) {
            return new Result(pod, Outcome.CUT, partial, bytes, null, null, "the total byte cap (--max-bytes) was reached; kept as .partial", List.of());
          }
        }
      } catch (IOException e) {
        return new Result(pod, Outcome.CUT, partial, bytes, offset(partial, request), null,
            "the answer ended early (" + e.getMessage() + "); kept as .partial, whose complete chunks livetrace repair salvages", List.of());
      }
      if (bytes == 0) {
        Files.deleteIfExists(partial);
        return failed(pod, Outcome.NOT_SERVING, "the answer was empty");
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      List<Snapshot> snapshots = request.snapshots() ? snapshots(pod) : List.of();
      // A trace's JVM start is read afterwards, from all files at once (Fleet), not here: fifty
      // readers at the end of fifty pulls would hold fifty files' windows at once.
      Instant jvmStart = request.jfr() ? null : pod.containerStarted();
      return new Result(pod, Outcome.OK, file, bytes, offset(file, request), jvmStart, null, snapshots);
    } catch (IOException e) {
      return failed(pod, Outcome.UNREACHABLE, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** The outcome of an answer that is not a 200, or null for a 200. */
  private static Result classify(Pod pod, Transport.Answer answer) throws IOException {
    int status = answer.status();
    if (status == 200) {
      return null;
    }
    String body = text(answer.body());
    boolean apiServer = body.contains("\"kind\":\"Status\"") || body.contains("\"kind\": \"Status\"");
    String said = status + ": " + (apiServer ? statusMessage(body) : body.strip());
    Outcome outcome;
    if (status == 429) {
      String retry = answer.header("Retry-After");
      return failed(pod, Outcome.BUSY, said + (retry == null ? "" : " (Retry-After " + retry + " s)"));
    } else if (status == 401 || status == 403) {
      outcome = Outcome.DENIED;
    } else if (status == 404 && !apiServer && (body.startsWith("no flight recorder") || body.startsWith("a flight recorder"))) {
      outcome = Outcome.REFUSED;
    } else if (status == 404) {
      outcome = apiServer && body.contains("pods") && body.contains("not found") ? Outcome.UNREACHABLE : Outcome.NOT_SERVING;
    } else if (apiServer || status == 502 || status == 504) {
      outcome = Outcome.UNREACHABLE;
    } else {
      outcome = Outcome.REFUSED; // livetrace's own 400, 409, 503, with its reason
    }
    return failed(pod, outcome, said);
  }

  private static String statusMessage(String json) {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.PROPERTY_NAME && p.getString().equals("message")) {
          p.nextToken();
          return p.getString();
        }
      }
    } catch (RuntimeException e) {
      // not the API server's Status after all
    }
    return json.strip();
  }

  /** The answer's text, at most 4 KB of it. */
  private static String text(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(4096);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] buffer, int n, long at, byte[] magic) {
    for (int i = 0; i + at < magic.length && i < n; i++) {
      if (buffer[i] != magic[(int) at + i]) {
        return false;
      }
    }
    return true;
  }

  private static Result failed(Pod pod, Outcome outcome, String message) {
    return new Result(pod, outcome, null, 0, null, null, message, List.of());
  }

  /** For a trace the first chunk's start, for a window the last chunk's end, minus the instant. */
  private Long offset(Path file, Request request) {
    if (!request.jfr()) {
      return null;
    }
    try (var channel = Files.newByteChannel(file)) {
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(68);
      long position = 0;
      long startNanos = -1;
      long endNanos = -1;
      long size = channel.size();
      while (position + 68 <= size) {
        header.clear();
        channel.position(position);
        while (header.hasRemaining() && channel.read(header) > 0) {}
        if (!Arrays.equals(Arrays.copyOf(header.array(), 4), JFR_MAGIC)) {
          break;
        }
        long chunkSize = header.getLong(8);
        long start = header.getLong(32);
        long duration = header.getLong(40);
        if (startNanos < 0) {
          startNanos = start;
        }
        if (chunkSize <= 0 || position + chunkSize > size) {
          break;
        }
        endNanos = start + duration;
        position += chunkSize;
      }
      long instantNanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
      if (request.trace()) {
        return startNanos < 0 ? null : Math.round((startNanos - instantNanos) / 1e6);
      }
      return endNanos < 0 ? null : Math.round((endNanos - instantNanos) / 1e6);
    } catch (IOException e) {
      return null;
    }
  }

  /** The results with each trace's JVM start, as every command reads it: {@code fleet}'s, by file. */
  public static List<Result> withJvmStartTimes(List<Result> results, Fleet fleet) {
    java.util.Map<Path, Instant> starts = new java.util.HashMap<>();
    for (Fleet.Part part : fleet.parts()) {
      if (part.jvmOfChunk().length > 0) {
        starts.put(part.file().path(), fleet.jvms().get(part.jvmOfChunk()[0]).startTime());
      }
    }
    List<Result> updated = new ArrayList<>();
    for (Result r : results) {
      Instant start = r.file() == null ? null : starts.get(r.file());
      updated.add(start == null ? r : new Result(r.pod(), r.outcome(), r.file(), r.bytes(), r.offsetMillis(), start, r.message(), r.snapshots()));
    }
    return updated;
  }

  /** Every snapshot the pod's flight recorder kept, each to a file of its own; failures leave it out. */
  private List<Snapshot> snapshots(Pod pod) {
    List<Snapshot> fetched = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (Transport.Answer list = transport.get(pod, "flightrecorder/snapshots", "application/json")) {
      if (list.status() != 200) {
        return fetched;
      }
      try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), list.body())) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.PROPERTY_NAME && p.getString().equals("name")) {
            p.nextToken();
            names.add(p.getString());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return fetched;
    }
    for (String name : names) {
      if (!name.matches("[A-Za-z0-9._-]+")) {
        continue; // a name is never used as a path unless it is a plain file name
      }
      Path file = directory.resolve(pod.namespace() + "_" + pod.name() + "_" + name);
      try (Transport.Answer answer = transport.get(pod, "flightrecorder/snapshots/" + name, null)) {
        if (answer.status() != 200) {
          continue;
        }
        long bytes;
        try (OutputStream out = Files.newOutputStream(file)) {
          bytes = answer.body().transferTo(out);
        }
        written.addAndGet(bytes);
        fetched.add(new Snapshot(name, file, bytes));
      } catch (IOException e) {
        // left out; the list says what was fetched
      }
    }
    return fetched;
  }
}
