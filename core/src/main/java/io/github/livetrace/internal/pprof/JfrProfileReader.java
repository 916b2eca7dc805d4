package io.github.livetrace.internal.pprof;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import io.github.livetrace.internal.pprof.StackProfile.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordedStackTrace;

/**
 * Reads one {@link ProfileKind} out of a .jfr file: a profile's own recording, or a whole trace
 * downloaded with {@code settings=profile}. Events are read with the JDK's own parser ({@code
 * jdk.jfr.consumer}), by exact event type: only the events of the profile are parsed, whatever
 * else the file holds (JFR settings are a union, so a profile's recording holds the events of
 * every recording that ran at the same time).
 *
 * <p>Why not async-profiler's JFR reader: it reads {@code jdk.ExecutionSample} and {@code
 * jdk.NativeMethodSample} as one kind of event (and {@code jdk.CPUTimeSample} too), and both JDK
 * samples carry the state {@code STATE_RUNNABLE}, so no option of its converter keeps a CPU
 * profile to CPU samples; it cannot read the events of the block profile.
 */
public final class JfrProfileReader {
  /** The sampling period assumed when a file gives no way to tell it: the JDK's default settings. */
  static final long DEFAULT_EXECUTION_SAMPLE_PERIOD = TimeUnit.MILLISECONDS.toNanos(20);

  private static final ValueType SAMPLES = new ValueType("samples", "count");
  private static final ValueType CONTENTIONS = new ValueType("contentions", "count");
  private static final ValueType DELAY = new ValueType("delay", "nanoseconds");
  private static final ValueType CPU = new ValueType("cpu", "nanoseconds");
  private static final ValueType SPACE = new ValueType("space", "bytes");

  private final Map<Frame, Frame> frames = new HashMap<>(); // interned: most stacks share frames

  private JfrProfileReader() {}

  /**
   * Reads the profile of {@code kind} from {@code file}.
   *
   * @param executionSamplePeriodNanos the period of {@code jdk.ExecutionSample} when the caller
   *     knows it (it recorded the file); empty to estimate it from the samples (a trace)
   * @throws IOException when the file cannot be read or is not a valid recording
   */
  public static StackProfile read(Path file, ProfileKind kind, OptionalLong executionSamplePeriodNanos)
      throws IOException {
    JfrProfileReader reader = new JfrProfileReader();
    StackProfile profile;
    switch (kind) {
      case CPU:
        profile = reader.cpu(file, executionSamplePeriodNanos);
        break;
      case ALLOCS:
        profile = reader.allocs(file);
        break;
      case HEAP:
        profile = reader.heap(file);
        break;
      default:
        profile = reader.blocking(file, kind);
    }
    long[] span = span(file);
    profile.setTime(span[0], span[1] - span[0]);
    return profile;
  }

  private StackProfile cpu(Path file, OptionalLong executionSamplePeriod) throws IOException {
    StackProfile cpuTime = new StackProfile("CPU time (jdk.CPUTimeSample)", List.of(SAMPLES, CPU), CPU, 0);
    StackProfile execution = new StackProfile("", List.of(SAMPLES), null, 0);
    PeriodEstimate estimate = new PeriodEstimate();
    long[] lost = new long[2]; // lost samples, samples whose stack JFR could not walk
    Map<Long, Integer> cpuTimePeriods = new HashMap<>();
    long executionSampleId = eventTypeId(file, "jdk.ExecutionSample");
    long[] recordedPeriod = {-1}; // jdk.ExecutionSample's period as the file's jdk.ActiveSetting says
    long[] jvmEventPeriod = {-1}; // as livetrace.JVM says, in livetrace's traces
    int[] jdkMajor = {-1};
    stream(
        file,
        Map.of(
            "jdk.ActiveSetting",
            e -> {
              if (e.getLong("id") == executionSampleId && "period".equals(e.getString("name"))) {
                OptionalLong period = timespan(e.getString("value"));
                if (period.isPresent()) {
                  recordedPeriod[0] = period.getAsLong(); // every chunk repeats it; the last one wins
                }
              }
            },
            "jdk.JVMInformation", e -> jdkMajor[0] = jdkMajor(e.getString("jvmVersion")),
            io.github.livetrace.internal.EventNames.JVM,
            e -> {
              if (e.hasField("executionSamplePeriod") && e.getLong("executionSamplePeriod") > 0) {
                jvmEventPeriod[0] = e.getLong("executionSamplePeriod"); // the last chunk's wins
              }
              if (jdkMajor[0] < 0 && e.getString("javaVersion") != null) {
                jdkMajor[0] = javaMajor(e.getString("javaVersion"));
              }
            },
            "jdk.CPUTimeSample",
            e -> {
              long period = e.getDuration("samplingPeriod").toNanos();
              cpuTimePeriods.merge(period, 1, Integer::sum);
              if (e.getBoolean("failed")) {
                lost[1]++;
              }
              cpuTime.add(stack(e.getStackTrace()), Map.of(), 1, period);
            },
            "jdk.CPUTimeSamplesLost", e -> lost[0] += e.getInt("lostSamples"),
            "jdk.ExecutionSample",
            e -> {
              estimate.sample(e.getStartTime());
              execution.add(stack(e.getStackTrace()), Map.of(), 1);
            }));
    if (!cpuTime.samples().isEmpty()) {
      // The two samplers overlap; mixing them would count the same CPU time twice.
      // Each sample carries its own period; the profile's is the usual one.
      long usual = Collections.max(cpuTimePeriods.entrySet(), Map.Entry.comparingByValue()).getKey();
      StackProfile result = new StackProfile(cpuTime.title(), cpuTime.sampleTypes(), CPU, usual);
      cpuTime.samples().forEach((k, v) -> result.add(k.stack(), k.labels(), v));
      result.addComment("jdk.CPUTimeSample: a sample per period of each thread's CPU time, Java and native code");
      if (lost[0] > 0 || lost[1] > 0) {
        result.addComment(lost[0] + " samples lost (jdk.CPUTimeSamplesLost), " + lost[1] + " without a stack");
      }
      return result;
    }
    long period;
    String how;
    if (executionSamplePeriod.isPresent()) {
      period = executionSamplePeriod.getAsLong();
      how = "";
    } else if (recordedPeriod[0] > 0) {
      period = recordedPeriod[0];
      how = " (the recording's setting)";
    } else if (jvmEventPeriod[0] > 0) {
      period = jvmEventPeriod[0];
      how = " (the recording's setting, as livetrace.JVM gives it)";
    } else {
      OptionalLong estimated = estimate.period();
      period = estimated.orElse(DEFAULT_EXECUTION_SAMPLE_PERIOD);
      how = estimated.isPresent()
          ? " (estimated from the gaps between the sampler's rounds: the recording does not say its period,"
              + " jdk.ActiveSetting was off)"
          : " (assumed, the JDK's default: the recording does not say its period and has too few samples to tell)";
    }
    StackProfile result =
        new StackProfile("CPU (jdk.ExecutionSample, every " + Durations.format(period) + ")", List.of(SAMPLES, CPU), CPU, period);
    execution.samples().forEach((k, v) -> result.add(k.stack(), k.labels(), v[0], v[0] * period));
    result.addComment(
        "jdk.ExecutionSample every " + Durations.format(period) + how
            + ": threads running Java code; time in native code is not sampled");
    if (jdkMajor[0] < 0 && executionSamplePeriod.isPresent()) {
      jdkMajor[0] = Runtime.version().feature(); // the caller recorded it: this JVM
    }
    if (jdkMajor[0] < 25) {
      result.addComment(
          (jdkMajor[0] < 0 ? "recorded on a JDK the file does not name; before JDK 25, " : "recorded on JDK " + jdkMajor[0] + ": ")
              + "jdk.ExecutionSample drops every sample of a thread in a stub, an intrinsic or a VM leaf call"
              + " (System.arraycopy, System.nanoTime, hashing, copying): this profile can leave out most of the CPU"
              + " time the JVM used; async-profiler, or jdk.CPUTimeSample on JDK 25+, sees it");
    }
    return result;
  }

  /** The id of the event type {@code name} in {@code file}, or -1 when the file does not declare it. */
  private static long eventTypeId(Path file, String name) throws IOException {
    try (RecordingFile recording = new RecordingFile(file)) {
      return recording.readEventTypes().stream()
          .filter(t -> t.getName().equals(name))
          .mapToLong(jdk.jfr.EventType::getId)
          .findFirst()
          .orElse(-1);
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a readable JFR recording: " + e, e);
    }
  }

  private static final Pattern TIMESPAN = Pattern.compile("\\s*(\\d+)\\s*(ns|us|ms|s|m|h|d)\\s*");
  private static final Pattern JVM_VERSION = Pattern.compile("\\((?:build )?(\\d+)[.+\\-)]");

  /** A JFR timespan setting ({@code "10 ms"}, {@code "1 s"}) in nanoseconds; empty for anything else. */
  static OptionalLong timespan(String value) {
    java.util.regex.Matcher m = value == null ? null : TIMESPAN.matcher(value);
    if (m == null || !m.matches()) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ns": return OptionalLong.of(n);
      case "us": return OptionalLong.of(TimeUnit.MICROSECONDS.toNanos(n));
      case "ms": return OptionalLong.of(TimeUnit.MILLISECONDS.toNanos(n));
      case "s": return OptionalLong.of(TimeUnit.SECONDS.toNanos(n));
      case "m": return OptionalLong.of(TimeUnit.MINUTES.toNanos(n));
      case "h": return OptionalLong.of(TimeUnit.HOURS.toNanos(n));
      default: return OptionalLong.of(TimeUnit.DAYS.toNanos(n));
    }
  }

  /** The feature release of a {@code Runtime.version()} string such as {@code 17.0.15+6-Debian}; -1 if none. */
  static int javaMajor(String version) {
    try {
      return Runtime.Version.parse(version).feature();
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** The feature release in {@code jdk.JVMInformation}'s {@code jvmVersion}, such as 17 in "... (17.0.15+6-...)"; -1 if none. */
  static int jdkMajor(String jvmVersion) {
    java.util.regex.Matcher m = jvmVersion == null ? null : JVM_VERSION.matcher(jvmVersion);
    return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private StackProfile allocs(Path file) throws IOException {
    StackProfile p =
        new StackProfile(
            "Allocations (jdk.ObjectAllocationSample): bytes",
            List.of(SAMPLES, new ValueType("alloc_space", "bytes")),
            null, // throttled to a rate of samples, not one per amount of memory
            0);
    p.setLeafLabels(List.of("objectClass"));
    stream(file, Map.of("jdk.ObjectAllocationSample", e -> p.add(stack(e.getStackTrace()), classLabel("objectClass", e.getClass("objectClass")), 1, e.getLong("weight"))));
    p.addComment("jdk.ObjectAllocationSample: alloc_space is JFR's weight, the bytes a thread allocated since its previous sample");
    return p;
  }

  private StackProfile heap(Path file) throws IOException {
    // Sizes when the JVM's event has them (objectSize since JDK 18), said by the file's metadata,
    // so that an empty profile has the same sample types as a full one from the same JVM.
    boolean sized;
    try (RecordingFile recording = new RecordingFile(file)) {
      sized = recording.readEventTypes().stream().anyMatch(t -> t.getName().equals("jdk.OldObjectSample") && t.getField("objectSize") != null);
    }
    StackProfile p =
        new StackProfile(
            "Live objects, sampled (jdk.OldObjectSample)",
            sized ? List.of(SAMPLES, SPACE) : List.of(SAMPLES),
            null, // JFR keeps a fixed number of samples, not one per amount of memory
            0);
    p.setLeafLabels(List.of("objectClass"));
    stream(
        file,
        Map.of(
            "jdk.OldObjectSample",
            e -> {
              RecordedObject object = e.getValue("object");
              RecordedClass type = object == null ? null : object.getValue("type");
              if (sized) {
                p.add(stack(e.getStackTrace()), classLabel("objectClass", type), 1, e.getLong("objectSize"));
              } else {
                p.add(stack(e.getStackTrace()), classLabel("objectClass", type), 1);
              }
            }));
    p.addComment(
        "jdk.OldObjectSample: a sample of the objects still live when the recording stopped, with the"
            + " stacks that allocated them; only objects allocated while a recording with this event"
            + " ran; not a heap dump");
    return p;
  }

  private StackProfile blocking(Path file, ProfileKind kind) throws IOException {
    StackProfile p =
        new StackProfile(
            kind == ProfileKind.MUTEX ? "Lock contention: delay" : "Blocking: delay",
            List.of(CONTENTIONS, DELAY),
            CONTENTIONS,
            1);
    p.setLeafLabels(List.of("monitorClass", "parkedClass"));
    Map<String, EventStreamHandler> handlers = new HashMap<>();
    for (String event : kind.events()) {
      String classField = event.equals("jdk.ThreadPark") ? "parkedClass" : event.startsWith("jdk.JavaMonitor") ? "monitorClass" : null;
      handlers.put(
          event,
          e -> {
            List<Frame> stack = stack(e.getStackTrace());
            if (!kind.takes(event, stack)) {
              return;
            }
            Map<String, String> labels = new TreeMap<>();
            labels.put("event", event);
            if (classField != null) {
              labels.putAll(classLabel(classField, e.getClass(classField)));
            }
            p.add(stack, labels, 1, e.getDuration().toNanos());
          });
    }
    stream(file, handlers);
    p.addComment(
        String.join(", ", kind.events())
            + (kind == ProfileKind.MUTEX ? " (parks that acquire a java.util.concurrent.locks lock)" : "")
            + ": the waiting thread's stack; blocking shorter than JFR's threshold is not recorded");
    return p;
  }

  private static Map<String, String> classLabel(String key, RecordedClass type) {
    return type == null ? Map.of() : Map.of(key, javaName(type.getName()));
  }

  /** A class name as Java source writes it: {@code long[]} for JFR's {@code [J}. */
  static String javaName(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return name;
    }
    String element = name.substring(dims);
    switch (element) {
      case "Z": element = "boolean"; break;
      case "B": element = "byte"; break;
      case "C": element = "char"; break;
      case "S": element = "short"; break;
      case "I": element = "int"; break;
      case "J": element = "long"; break;
      case "F": element = "float"; break;
      case "D": element = "double"; break;
      default:
        if (element.startsWith("L") && element.endsWith(";")) {
          element = element.substring(1, element.length() - 1);
        }
    }
    return element + "[]".repeat(dims);
  }

  private List<Frame> stack(RecordedStackTrace trace) {
    if (trace == null) {
      return List.of();
    }
    List<RecordedFrame> recorded = trace.getFrames();
    List<Frame> stack = new ArrayList<>(recorded.size());
    for (RecordedFrame f : recorded) { // leaf first, as pprof wants
      RecordedMethod method = f.getMethod();
      String function = method == null ? "unknown" : method.getType().getName() + "." + method.getName();
      Frame frame = new Frame(function, "", Math.max(0, f.getLineNumber()), kind(f.getType()));
      stack.add(frames.computeIfAbsent(frame, x -> x));
    }
    return stack;
  }

  /** JFR's frame types but {@code Native} are all Java code; which tier ran it is noise here. */
  private static FrameKind kind(String type) {
    return "Native".equals(type) ? FrameKind.NATIVE : FrameKind.JAVA;
  }

  /** Handles one event type; checked exceptions cannot cross the JDK's stream. */
  @FunctionalInterface
  private interface EventStreamHandler {
    void accept(RecordedEvent event);
  }

  private static void stream(Path file, Map<String, EventStreamHandler> handlers) throws IOException {
    try (EventStream events = EventStream.openFile(file)) {
      events.setReuse(true); // handlers keep no event
      events.setOrdered(false); // aggregation needs no order
      handlers.forEach((type, handler) -> events.onEvent(type, handler::accept));
      events.start();
    } catch (RuntimeException e) {
      // The JDK's parser reports damaged files with unchecked exceptions too.
      throw new IOException(file + " is not a readable JFR recording: " + e, e);
    }
  }

  /** The start and end of the file's chunks, in nanoseconds since the epoch. */
  static long[] span(Path file) throws IOException {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long offset = 0;
      long size = channel.size();
      ByteBuffer header = ByteBuffer.allocate(ChunkHeader.SIZE);
      while (offset + ChunkHeader.SIZE <= size) {
        header.clear();
        while (header.hasRemaining() && channel.read(header, offset + header.position()) > 0) {
          // until the header is read
        }
        ChunkHeader h = ChunkHeader.parse(header.array(), 0).filter(ChunkHeader::isPlausible).orElse(null);
        if (h == null) {
          break;
        }
        start = Math.min(start, h.startNanos());
        end = Math.max(end, h.endNanos());
        offset += h.chunkSize();
      }
    }
    return start == Long.MAX_VALUE ? new long[] {0, 0} : new long[] {start, end};
  }

  /**
   * Estimates {@code jdk.ExecutionSample}'s period from the samples, for files that do not say
   * it (livetrace turns off {@code jdk.ActiveSetting}). JFR's sampler wakes once a period and
   * samples threads running Java code at that moment, so the samples come in rounds a period
   * apart, or a multiple of it when no thread ran Java, or later when the sampler ran late on a
   * busy machine. The gaps of one thread say little: a thread that runs in bursts is sampled in
   * few rounds (on JDK 25 the demo's threads showed a 10th percentile of 33 ms for a 10 ms period).
   * Samples within {@link #ROUND_NANOS} of the one before are one round; the low end of the gaps
   * between rounds (their 10th percentile, to the nearest millisecond) is the period.
   */
  static final class PeriodEstimate {
    /** Samples of one round are taken within microseconds; 2 ms leaves room for a busy machine. */
    private static final long ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private long[] times = new long[1024];
    private int count;

    void sample(Instant time) {
      if (count == times.length) {
        times = Arrays.copyOf(times, count * 2);
      }
      times[count++] = time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    OptionalLong period() {
      long[] sorted = Arrays.copyOf(times, count); // chunks and threads' buffers are not in time order
      Arrays.sort(sorted);
      int[] gapsTenthsOfMillis = new int[10_001]; // up to 1 s
      long total = 0;
      long roundStart = 0;
      for (int i = 0; i < sorted.length; i++) {
        if (i > 0 && sorted[i] - sorted[i - 1] <= ROUND_NANOS) {
          continue; // the same round
        }
        if (i > 0) {
          long gap = (sorted[i] - roundStart) / 100_000;
          if (gap < gapsTenthsOfMillis.length) {
            gapsTenthsOfMillis[(int) gap]++;
            total++;
          }
        }
        roundStart = sorted[i];
      }
      if (total < 10) {
        return OptionalLong.empty();
      }
      long seen = 0;
      for (int tenths = 1; tenths < gapsTenthsOfMillis.length; tenths++) {
        seen += gapsTenthsOfMillis[tenths];
        if (seen * 10 >= total) {
          return OptionalLong.of(TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.round(tenths / 10.0))));
        }
      }
      return OptionalLong.empty();
    }
  }
}
