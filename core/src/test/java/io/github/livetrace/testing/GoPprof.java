package io.github.livetrace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pprof profiles with the real client, {@code go tool pprof} (Debian's {@code golang-go};
 * CI installs it): from a file, or fetched from a URL as Go developers do. {@link #raw} parses
 * {@code -raw}, pprof's own dump of what it read.
 */
public final class GoPprof {
  private static final Pattern SAMPLE = Pattern.compile("^\\s*((?:-?\\d+\\s+)*-?\\d+):((?:\\s+\\d+)*)\\s*$");
  // key:[value] pairs; a value may hold brackets itself (long[]).
  private static final Pattern LABELS = Pattern.compile("(\\w+):\\[(.*?)\\](?=\\s+\\w+:\\[|\\s*$)");
  private static final Pattern LOCATION = Pattern.compile("^\\s*(\\d+): 0x[0-9a-f]+ M=\\d+ (\\S+) .*$");

  private GoPprof() {}

  /** What {@code go tool pprof -raw} shows. */
  public record Raw(
      List<String> sampleTypes, String periodType, long period, List<String> comments, List<Sample> samples) {

    /** The sum of one sample type's values over the samples whose stack contains {@code function}. */
    public long total(String sampleType, String function) {
      int index = sampleTypes.indexOf(sampleType);
      assertTrue(index >= 0, "no sample type " + sampleType + " in " + sampleTypes);
      long total = 0;
      for (Sample s : samples) {
        if (function == null || s.stack().stream().anyMatch(f -> f.contains(function))) {
          total += s.values().get(index);
        }
      }
      return total;
    }

    /** The largest samples of one sample type, with their innermost frames and labels, for failure messages. */
    public String top(String sampleType) {
      int index = sampleTypes.indexOf(sampleType);
      StringBuilder b = new StringBuilder();
      samples.stream()
          .sorted((x, y) -> Long.compare(y.values().get(index), x.values().get(index)))
          .limit(10)
          .forEach(s -> b.append("\n  ").append(s.values().get(index)).append(' ').append(s.stack().subList(0, Math.min(4, s.stack().size()))).append(' ').append(s.labels()));
      return b.toString();
    }

    /** The sum of one sample type's values over all samples. */
    public long total(String sampleType) {
      return total(sampleType, null);
    }
  }

  /** One sample: its values (one per sample type), its stack (functions, leaf first), its labels. */
  public record Sample(List<Long> values, List<String> stack, Map<String, String> labels) {}

  /** Runs {@code go tool pprof args... source}, where source is a file or a URL; fails unless it exits 0. */
  public static String run(String source, String... args) {
    List<String> command = new ArrayList<>(List.of("go", "tool", "pprof"));
    command.addAll(List.of(args));
    command.add(source);
    try {
      Path scratch = Files.createTempDirectory("livetrace-pprof-");
      Path output = scratch.resolve("output.txt");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        // pprof keeps a copy of every profile it fetches, under $HOME/pprof unless told otherwise.
        builder.environment().put("PPROF_TMPDIR", scratch.toString());
        Process p;
        try {
          p = builder.start();
        } catch (IOException e) {
          throw new AssertionError("go tool pprof is needed (Debian: apt-get install golang-go): " + e, e);
        }
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "go tool pprof did not finish: " + command);
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "go tool pprof failed: " + command + "\n" + text);
        return text;
      } finally {
        try (var files = Files.walk(scratch)) {
          files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code go tool pprof -raw source}, parsed. */
  public static Raw raw(String source) {
    return parseRaw(run(source, "-raw"));
  }

  /** {@code go tool pprof -raw} of bytes. */
  public static Raw raw(byte[] profile) {
    Path file = TraceFiles.write(profile);
    try {
      return raw(file.toString());
    } finally {
      file.toFile().delete();
    }
  }

  static Raw parseRaw(String text) {
    List<String> sampleTypes = new ArrayList<>();
    String periodType = "";
    long period = 0;
    List<String> comments = new ArrayList<>();
    List<long[]> values = new ArrayList<>();
    List<long[]> locationIds = new ArrayList<>();
    List<Map<String, String>> labels = new ArrayList<>();
    Map<Long, String> functions = new LinkedHashMap<>();
    String section = "";
    for (String line : text.split("\n")) {
      if (line.startsWith("Comment: ")) {
        comments.add(line.substring(9));
      } else if (line.startsWith("PeriodType: ")) {
        periodType = line.substring(12).trim();
      } else if (line.startsWith("Period: ")) {
        period = Long.parseLong(line.substring(8).trim());
      } else if (line.equals("Samples:") || line.equals("Locations") || line.equals("Mappings")) {
        section = line;
      } else if (section.equals("Samples:") && sampleTypes.isEmpty()) {
        sampleTypes.addAll(List.of(line.trim().split("\\s+")));
      } else if (section.equals("Samples:")) {
        Matcher m = SAMPLE.matcher(line);
        if (m.matches()) {
          values.add(longs(m.group(1)));
          locationIds.add(longs(m.group(2)));
          labels.add(new TreeMap<>());
        } else if (!values.isEmpty()) {
          Matcher l = LABELS.matcher(line);
          while (l.find()) {
            labels.get(labels.size() - 1).put(l.group(1), l.group(2));
          }
        }
      } else if (section.equals("Locations")) {
        Matcher m = LOCATION.matcher(line);
        if (m.matches()) {
          functions.put(Long.parseLong(m.group(1)), m.group(2));
        }
      }
    }
    assertTrue(!sampleTypes.isEmpty(), "pprof -raw showed no sample types:\n" + text);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      List<Long> v = new ArrayList<>();
      for (long x : values.get(i)) {
        v.add(x);
      }
      assertEquals(sampleTypes.size(), v.size(), "values of a sample:\n" + text);
      List<String> stack = new ArrayList<>();
      for (long id : locationIds.get(i)) {
        stack.add(functions.getOrDefault(id, "?" + id));
      }
      samples.add(new Sample(v, stack, labels.get(i)));
    }
    return new Raw(sampleTypes, periodType, period, comments, samples);
  }

  private static long[] longs(String s) {
    s = s.trim();
    if (s.isEmpty()) {
      return new long[0];
    }
    String[] parts = s.split("\\s+");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Long.parseLong(parts[i]);
    }
    return out;
  }
}
