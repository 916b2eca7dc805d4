package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.EventNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What the commands read: one file, several, or a directory that {@code livetrace pull} wrote,
 * holding the chunks of one JVM or of many, keyed by JVM. Every chunk of a livetrace trace names
 * the JVM that wrote it ({@code livetrace.JVM}: host, pid, start); task, thread and region ids are
 * that JVM's, so every analysis keys them by {@link Jvm#index()}. Chunks without the event (traces
 * of other tools, or of livetrace before it) belong to one unnamed JVM per file.
 */
public final class Fleet {
  /**
   * A JVM of the fleet.
   *
   * @param index its number, 0 and up, in the order JVMs were found (files, then time)
   * @param hostName the host it ran on (in Kubernetes, the pod); the file's name when unknown
   * @param pid its process id, 0 when unknown
   * @param startTime when it started, or null when unknown
   */
  public record Jvm(int index, String hostName, long pid, Instant startTime, String javaVersion, boolean named) {
    /** The name commands show: the host, and the pid when two JVMs share a host. */
    public String name() {
      return hostName;
    }
  }

  /** A file, and for each of its complete chunks the index of the JVM that wrote it. */
  public record Part(TraceFile file, int[] jvmOfChunk) {}

  private final List<Part> parts;
  private final List<Jvm> jvms;

  private Fleet(List<Part> parts, List<Jvm> jvms) {
    this.parts = parts;
    this.jvms = jvms;
  }

  /**
   * Opens every input: a file, or a directory whose {@code .jfr} files are read in name order
   * ({@code .partial} downloads are passed over with a note: {@code livetrace repair} keeps their
   * complete chunks). Every file must be complete.
   *
   * @param note told of each file passed over
   */
  public static Fleet open(List<Path> inputs, Consumer<String> note) throws BadInputException, IOException {
    List<TraceFile> files = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        List<Path> found;
        try (Stream<Path> listing = Files.list(input)) {
          found = listing.sorted().toList();
        }
        int before = files.size();
        for (Path f : found) {
          String name = f.getFileName().toString();
          if (name.endsWith(".partial")) {
            note.accept(f + ": passed over, a cut download; 'livetrace repair " + f + " -o FILE.jfr' keeps its complete chunks");
          } else if (name.endsWith(".jfr") && !name.contains("_merged_")) {
            TraceFile file = TraceFile.open(f);
            file.requireComplete();
            files.add(file);
          }
        }
        if (files.size() == before) {
          throw new BadInputException(input, "a directory without .jfr files");
        }
      } else {
        TraceFile file = TraceFile.open(input);
        file.requireComplete();
        files.add(file);
      }
    }
    return identify(once(files, note));
  }

  /** One complete file. */
  public static Fleet of(TraceFile file) throws BadInputException, IOException {
    return identify(List.of(file));
  }

  /**
   * The files without those whose every chunk another file holds too (the same file named twice,
   * a {@code repair}ed copy beside its download): read twice, each task would count twice. A chunk
   * is known by its start, in nanoseconds and in ticks, which no other chunk shares. Files that
   * share only some chunks (overlapping flight-recorder snapshots of one JVM) are all kept, with a
   * note that the shared chunks count twice: nothing is left out, and nothing silently doubled. So
   * is a file that holds a chunk twice.
   */
  private static List<TraceFile> once(List<TraceFile> files, Consumer<String> note) {
    List<Set<List<Long>>> chunks = new ArrayList<>();
    for (TraceFile file : files) {
      Set<List<Long>> starts = new HashSet<>();
      file.chunks().forEach(c -> starts.add(List.of(c.startNanos(), c.startTicks())));
      chunks.add(starts);
      int repeated = file.chunks().size() - starts.size(); // a file joined to itself, or a repair's output to its input
      if (repeated > 0) {
        note.accept(file.path() + ": " + repeated + " of its " + file.chunks().size() + " chunks repeat chunks"
            + " earlier in it: what is in them counts twice");
      }
    }
    List<Integer> kept = new ArrayList<>(); // indexes into files
    for (int i = 0; i < files.size(); i++) {
      int within = -1; // the largest file that holds all of it, the first of equals: one that is read
      for (int j = 0; j < files.size(); j++) {
        boolean same = chunks.get(i).equals(chunks.get(j));
        if (j != i && chunks.get(j).containsAll(chunks.get(i)) && (!same || j < i)
            && (within < 0 || chunks.get(j).size() > chunks.get(within).size())) {
          within = j;
        }
      }
      if (within >= 0) {
        note.accept(files.get(i).path() + ": passed over, every chunk of it is in " + files.get(within).path()
            + " too, which is read");
        continue;
      }
      for (int k : kept) {
        long shared = chunks.get(i).stream().filter(chunks.get(k)::contains).count();
        if (shared > 0) {
          note.accept(files.get(i).path() + " and " + files.get(k).path() + " share " + shared
              + " chunk" + (shared == 1 ? "" : "s") + ": what is in them counts twice");
        }
      }
      kept.add(i);
    }
    return kept.stream().map(files::get).toList();
  }

  private static Fleet identify(List<TraceFile> files) throws BadInputException, IOException {
    Map<List<Object>, Jvm> byKey = new LinkedHashMap<>();
    List<Part> parts = new ArrayList<>();
    for (TraceFile file : files) {
      Map<Integer, JvmEvent> seen = new HashMap<>();
      TraceReader.decode(file, JvmEvents::new, h -> seen.putAll(h.byChunk));
      int[] jvmOfChunk = new int[file.chunks().size()];
      // In time order, so that JVMs are numbered as they appear.
      for (int chunk : io.github.livetrace.cli.internal.jfr.JfrDecoder.timeOrder(file.chunks())) {
        JvmEvent e = seen.get(chunk);
        List<Object> key = e == null ? List.of(file.path().toString()) : List.of(e.pid, e.startMillis, e.hostName == null ? "" : e.hostName);
        Jvm jvm = byKey.get(key);
        if (jvm == null && e != null && e.hostName == null) {
          // JDK 17 to 20 may lose the strings of a recording's first chunk: the same pid and start is the same JVM.
          jvm = byKey.entrySet().stream().filter(k -> k.getKey().size() == 3 && k.getKey().get(0).equals(e.pid)
              && k.getKey().get(1).equals(e.startMillis)).map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (jvm == null) {
          jvm = e == null
              ? new Jvm(byKey.size(), file.path().getFileName().toString(), 0, null, null, false)
              : new Jvm(byKey.size(), e.hostName == null ? "pid " + e.pid : e.hostName, e.pid, Instant.ofEpochMilli(e.startMillis), e.javaVersion, true);
          byKey.put(key, jvm);
        }
        jvmOfChunk[chunk] = jvm.index();
      }
      parts.add(new Part(file, jvmOfChunk));
    }
    List<Jvm> jvms = disambiguate(new ArrayList<>(byKey.values()));
    return new Fleet(List.copyOf(parts), List.copyOf(jvms));
  }

  /** Two JVMs on one host (a restarted container, two processes) are told apart by pid. */
  private static List<Jvm> disambiguate(List<Jvm> jvms) {
    Map<String, Long> perHost = new HashMap<>();
    jvms.forEach(j -> perHost.merge(j.hostName(), 1L, Long::sum));
    List<Jvm> named = new ArrayList<>();
    for (Jvm j : jvms) {
      named.add(perHost.get(j.hostName()) > 1 && j.named()
          ? new Jvm(j.index(), j.hostName() + "#" + j.pid(), j.pid(), j.startTime(), j.javaVersion(), true)
          : j);
    }
    named.sort(java.util.Comparator.comparingInt(Jvm::index));
    return named;
  }

  public List<Part> parts() {
    return parts;
  }

  public List<Jvm> jvms() {
    return jvms;
  }

  /** Whether more than one JVM wrote what was read: the commands then show each row's JVM. */
  public boolean isFleet() {
    return jvms.size() > 1;
  }

  /** The earliest chunk start of every file, nanoseconds since the epoch. */
  public long startNanos() {
    return parts.stream().mapToLong(p -> p.file().startNanos()).min().orElse(0);
  }

  /** The latest chunk end of every file, nanoseconds since the epoch. */
  public long endNanos() {
    return parts.stream().mapToLong(p -> p.file().endNanos()).max().orElse(0);
  }

  private record JvmEvent(String hostName, long pid, long startMillis, String javaVersion) {}

  /** Reads the {@code livetrace.JVM} event of each chunk, and nothing else. */
  private static final class JvmEvents implements JfrEventHandler {
    private static final int JVM = 1;
    final Map<Integer, JvmEvent> byChunk = new HashMap<>();
    private int chunk;

    @Override
    public void beginChunk(int index) {
      chunk = index;
    }

    @Override
    public EventSelection select(JfrType type) {
      return type.name().equals(EventNames.JVM)
          ? EventSelection.of(JVM, "hostName", "pid", "jvmStartTime", "javaVersion")
          : EventSelection.of(0);
    }

    @Override
    public void event(JfrEvent event) {
      if (event.tag() == JVM) {
        JvmEvent e = new JvmEvent(event.string(0), event.longValue(1), event.longValue(2), event.string(3));
        JvmEvent before = byChunk.get(chunk);
        if (before == null || before.hostName() == null) {
          byChunk.put(chunk, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Fleet" + Arrays.toString(jvms.toArray());
  }
}
