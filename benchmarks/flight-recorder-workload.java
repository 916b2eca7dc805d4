// The flight recorder under the demo's load, for benchmarks/flight-recorder.sh: starts the Jetty
// coffee shop in this JVM with a flight recorder (10 s, 10 MiB, the defaults), then, while wrk
// drives it from outside, measures what the flight recorder costs in disk and memory, how long a
// window write takes and how far back the window reaches, and how long after a slow task's end its
// snapshot is listed. With --no-flight-recorder it runs the shop alone, for the memory baseline;
// --max-bytes N gives the flight recorder a budget other than the default 10 MiB.
//
//   java -cp examples/target/livetrace-example.jar benchmarks/flight-recorder-workload.java PORT SECONDS [--no-flight-recorder | --max-bytes N]

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.internal.ChunkHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

public class FlightRecorderWorkload {
  private static final String SLOW = "benchmark-slow";
  private static final Duration DELAY = FlightRecorderOptions.DEFAULT_SNAPSHOT_DELAY;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long seconds = Long.parseLong(args[1]);
    boolean withRecorder = !(args.length > 2 && args[2].equals("--no-flight-recorder"));
    Path store = Files.createTempDirectory("livetrace-bench-snapshots");
    // The demo's flight recorder, but every snapshot allowed: this measures the time to a snapshot.
    FlightRecorderOptions options =
        FlightRecorderOptions.defaults()
            .withSnapshotOnSlowTask(SLOW, Duration.ofMillis(50))
            .withSnapshotMinInterval(Duration.ZERO)
            .withSnapshotDirectory(store);
    if (args.length > 3 && args[2].equals("--max-bytes")) {
      options = options.withMaxBytes(Long.parseLong(args[3]));
    }
    Class<?> shopClass = Class.forName("io.github.livetrace.examples.CoffeeShop");
    Method start = shopClass.getMethod("start", int.class, boolean.class, FlightRecorderOptions.class);
    AutoCloseable shop = (AutoCloseable) start.invoke(null, port, false, withRecorder ? options : null);
    System.out.println("ready");
    FlightRecorder recorder = withRecorder ? FlightRecorder.current().orElseThrow() : null;

    List<Long> disk = new ArrayList<>();
    List<Long> window = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    List<Long> writeMillis = new ArrayList<>();
    List<Long> spanMillis = new ArrayList<>();
    List<Long> windowSizes = new ArrayList<>();
    List<Long> snapshotMillis = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long nextWrite = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); // past the first minAge
    long nextSlow = nextWrite + TimeUnit.MILLISECONDS.toNanos(1500);
    while (System.nanoTime() < end) {
      disk.add(repositoryBytes());
      rss.add(rssBytes());
      if (recorder != null) {
        window.add(recorder.windowBytes());
        if (System.nanoTime() > nextWrite) {
          // To a file, not the heap, so that the resident memory is the recorder's own.
          Path file = Files.createTempFile("livetrace-bench-window", ".jfr");
          long t0 = System.nanoTime();
          try (OutputStream out = Files.newOutputStream(file)) {
            recorder.writeTo(out);
          }
          writeMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
          windowSizes.add(Files.size(file));
          spanMillis.add(span(file));
          Files.delete(file);
          nextWrite = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        }
        if (System.nanoTime() > nextSlow) {
          snapshotMillis.add(slowTaskToListed(recorder));
          nextSlow = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        }
      }
      Thread.sleep(100);
    }
    shop.close();

    System.out.printf(Locale.ROOT, "flight recorder: %s%n", withRecorder ? "minAge " + options.minAge().toSeconds() + " s, maxBytes " + options.maxBytes() : "none");
    System.out.printf(Locale.ROOT, "JFR repository on disk, MB: median %.2f, max %.2f (%d samples)%n", median(disk) / 1e6, max(disk) / 1e6, disk.size());
    System.out.printf(Locale.ROOT, "resident memory, MB: median %.0f, max %.0f%n", median(rss) / 1e6, max(rss) / 1e6);
    if (withRecorder) {
      System.out.printf(Locale.ROOT, "window on disk (windowBytes), MB: median %.2f, max %.2f; maxBytes %.2f%n",
          median(window) / 1e6, max(window) / 1e6, options.maxBytes() / 1e6);
      System.out.printf(Locale.ROOT, "window written, MB: median %.2f, max %.2f (%d writes)%n", median(windowSizes) / 1e6, max(windowSizes) / 1e6, windowSizes.size());
      System.out.printf(Locale.ROOT, "window reaches back, s: min %.2f, median %.2f, max %.2f; minAge %.0f s%n",
          min(spanMillis) / 1e3, median(spanMillis) / 1e3, max(spanMillis) / 1e3, options.minAge().toMillis() / 1e3);
      System.out.printf(Locale.ROOT, "time to write a window, ms: median %d, p90 %d, max %d%n", median(writeMillis), p90(writeMillis), max(writeMillis));
      System.out.printf(Locale.ROOT, "slow task end to snapshot listed, ms after the %d ms delay: median %d, p90 %d, max %d (%d snapshots)%n",
          DELAY.toMillis(), median(snapshotMillis), p90(snapshotMillis), max(snapshotMillis), snapshotMillis.size());
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(store)) {
      for (Path f : files) {
        Files.delete(f);
      }
    }
    Files.delete(store);
    System.exit(0);
  }

  /** A task slower than its threshold; milliseconds from its end to its snapshot in the listing, less the delay. */
  private static long slowTaskToListed(FlightRecorder recorder) throws InterruptedException {
    Task task = Trace.newTask(SLOW);
    Thread.sleep(60);
    task.end();
    long ended = System.nanoTime();
    String part = "_slow_" + SLOW + "_" + task.id() + "_";
    while (recorder.snapshots().stream().noneMatch(s -> s.name().contains(part))) {
      if (System.nanoTime() - ended > TimeUnit.SECONDS.toNanos(30)) {
        throw new IllegalStateException("no snapshot for task " + task.id() + " within 30 s");
      }
      Thread.sleep(5);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended) - DELAY.toMillis();
  }

  /** Milliseconds from the start of a window's first chunk to the end of its last. */
  private static long span(Path window) throws IOException {
    long first = -1;
    long last = -1;
    byte[] header = new byte[ChunkHeader.SIZE];
    try (RandomAccessFile file = new RandomAccessFile(window.toFile(), "r")) {
      long offset = 0;
      while (offset < file.length()) {
        file.seek(offset);
        file.readFully(header);
        ChunkHeader h = ChunkHeader.parse(header, 0).orElseThrow();
        if (first < 0) {
          first = h.startNanos();
        }
        last = h.endNanos();
        offset += h.chunkSize();
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(last - first);
  }

  private static long repositoryBytes() throws IOException {
    String repository = System.getProperty("jdk.jfr.repository");
    long sum = 0;
    if (repository == null) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(repository), "*.jfr")) {
      for (Path f : files) {
        try {
          sum += Files.size(f);
        } catch (IOException e) {
          // finished and removed meanwhile
        }
      }
    }
    return sum;
  }

  private static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return 0;
  }

  private static long median(List<Long> values) {
    return sorted(values).get(values.size() / 2);
  }

  private static long p90(List<Long> values) {
    return sorted(values).get((int) Math.min(values.size() - 1, Math.ceil(values.size() * 0.9) - 1));
  }

  private static long max(List<Long> values) {
    return Collections.max(values);
  }

  private static long min(List<Long> values) {
    return Collections.min(values);
  }

  private static List<Long> sorted(List<Long> values) {
    List<Long> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }
}
