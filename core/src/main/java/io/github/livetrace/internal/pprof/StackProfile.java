package io.github.livetrace.internal.pprof;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Samples aggregated by stack, in the shape of pprof's {@code profile.proto}: each distinct stack
 * (with its labels) has one value per sample type, as Go's profiles have (a CPU profile: {@code
 * samples/count} and {@code cpu/nanoseconds}). What {@link PprofEncoder} writes and {@link
 * FlameGraphs} draws. Not thread-safe: one reader fills it, then it is written.
 */
public final class StackProfile {
  /** A pprof value type: what is measured and in which unit, such as {@code cpu}, {@code nanoseconds}. */
  public record ValueType(String type, String unit) {
    public ValueType {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(unit, "unit");
    }
  }

  /** What a frame is; colours flame graphs. */
  public enum FrameKind {
    /** Java code, interpreted or compiled: which tier ran it would split a stack in two. */
    JAVA,
    /** A native method. */
    NATIVE,
    /** Not a frame that ran: the class of the sampled object or lock, as a leaf of flame graphs. */
    CLASS
  }

  /**
   * One frame of a stack.
   *
   * @param function the method, as {@code package.Class.method}
   * @param file the source file when known (thread dumps), else empty
   * @param line the line number, 0 when unknown
   * @param kind how the frame ran
   */
  public record Frame(String function, String file, int line, FrameKind kind) {
    public Frame {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * What samples are aggregated by: the stack, leaf first as in pprof, and string labels (such as
   * the allocated class), sorted by key.
   */
  public record Key(List<Frame> stack, Map<String, String> labels) {}

  private final String title;
  private final List<ValueType> sampleTypes;
  private final ValueType periodType;
  private final long period;
  private final Map<Key, long[]> samples = new LinkedHashMap<>();
  private final List<String> comments = new ArrayList<>();
  private List<String> leafLabels = List.of();
  private long timeNanos;
  private long durationNanos;

  /**
   * @param title what the profile is, for people: the title of a flame graph
   * @param sampleTypes the values of each sample, the default one (shown first by pprof) last
   * @param periodType what {@code period} counts
   * @param period the sampling period, in units of {@code periodType}; 0 when there is none
   */
  public StackProfile(String title, List<ValueType> sampleTypes, ValueType periodType, long period) {
    if (sampleTypes.isEmpty()) {
      throw new IllegalArgumentException("a profile needs at least one sample type");
    }
    this.title = title;
    this.sampleTypes = List.copyOf(sampleTypes);
    this.periodType = periodType;
    this.period = period;
  }

  /**
   * Adds one sample's values to its stack's.
   *
   * @param stack frames, leaf first
   * @param labels string labels of the sample; empty for none
   * @param values one per sample type
   */
  public void add(List<Frame> stack, Map<String, String> labels, long... values) {
    if (values.length != sampleTypes.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + sampleTypes.size() + " sample types");
    }
    long[] sum = samples.computeIfAbsent(new Key(List.copyOf(stack), Map.copyOf(labels)), k -> new long[values.length]);
    for (int i = 0; i < values.length; i++) {
      sum[i] += values[i];
    }
  }

  /** Adds a line that pprof shows with the profile ({@code go tool pprof -raw}: {@code Comments}). */
  public void addComment(String comment) {
    comments.add(comment);
  }

  /**
   * The labels that name a class (of an allocated object, of a lock): flame graphs draw their
   * value as a leaf frame, as async-profiler's do; pprof keeps them as labels.
   */
  public void setLeafLabels(List<String> keys) {
    this.leafLabels = List.copyOf(keys);
  }

  public List<String> leafLabels() {
    return leafLabels;
  }

  /** When the profile starts and how long it covers, in nanoseconds since the epoch and nanoseconds. */
  public void setTime(long timeNanos, long durationNanos) {
    this.timeNanos = timeNanos;
    this.durationNanos = durationNanos;
  }

  public String title() {
    return title;
  }

  public List<ValueType> sampleTypes() {
    return sampleTypes;
  }

  public ValueType periodType() {
    return periodType;
  }

  public long period() {
    return period;
  }

  /** The aggregated samples, in the order their stacks were first seen. */
  public Map<Key, long[]> samples() {
    return Collections.unmodifiableMap(samples);
  }

  public List<String> comments() {
    return Collections.unmodifiableList(comments);
  }

  public long timeNanos() {
    return timeNanos;
  }

  public long durationNanos() {
    return durationNanos;
  }

  /** The sum of one sample type's values over all samples. */
  public long total(int sampleType) {
    long total = 0;
    for (long[] v : samples.values()) {
      total += v[sampleType];
    }
    return total;
  }
}
