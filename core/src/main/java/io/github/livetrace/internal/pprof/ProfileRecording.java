package io.github.livetrace.internal.pprof;

import io.github.livetrace.internal.ChunkReader;
import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.Jfr;
import io.github.livetrace.internal.RecordingSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * A short JFR recording of one profile in this JVM, separate from the one trace a JVM runs: a
 * profile may record while a trace does. It starts from livetrace's safe settings ({@link
 * RecordingSettings}: events that carry secrets are off), turns every event off, and enables only
 * the profile's ({@link ProfileKind#eventSettings}). Whoever starts one closes it: {@link #close}
 * removes the recording, its chunk files and the dump, on every path.
 *
 * <pre>{@code
 * try (ProfileRecording r = ProfileRecording.start(ProfileKind.CPU, Duration.ofSeconds(30))) {
 *   waitUntil(r.plannedEnd());
 *   r.stop();
 *   PprofEncoder.write(r.profile(), out);
 * }
 * }</pre>
 */
public final class ProfileRecording implements RecordedProfile {
  /** JFR stops the recording by itself this long after its planned end, should its owner not. */
  private static final Duration BACKSTOP = Duration.ofMinutes(1);

  private final ProfileKind kind;
  private final Map<String, String> settings;
  private final Recording recording;
  private final Instant plannedEnd;
  private long executionSamplePeriodNanos = -1; // of all recordings, when this one stopped
  private Path dump;

  private ProfileRecording(ProfileKind kind, Map<String, String> settings, Recording recording, Instant plannedEnd) {
    this.kind = kind;
    this.settings = settings;
    this.recording = recording;
    this.plannedEnd = plannedEnd;
  }

  /**
   * Whether CPU profiles of this JVM use {@code jdk.CPUTimeSample} (JDK 25+, Linux): a sample per
   * period of each thread's CPU time, which sees time in native code and not time spent waiting,
   * where {@code jdk.ExecutionSample} sees only threads in Java code.
   */
  public static boolean cpuTimeSampling() {
    if (!Jfr.PRESENT
        || !FlightRecorder.isAvailable()
        || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return false;
    }
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      if (t.getName().equals("jdk.CPUTimeSample")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts recording {@code kind} for {@code duration}.
   *
   * @throws UnsupportedOperationException when JDK Flight Recorder is not available
   */
  public static ProfileRecording start(ProfileKind kind, Duration duration) {
    if (!Jfr.PRESENT || !FlightRecorder.isAvailable()) {
      throw new UnsupportedOperationException("JDK Flight Recorder is not available in this JVM");
    }
    Map<String, String> settings = settings(kind, kind == ProfileKind.CPU && cpuTimeSampling());
    Recording recording = new Recording(settings);
    try {
      recording.setName("livetrace " + kind.path());
      recording.setToDisk(true);
      recording.setDuration(duration.plus(BACKSTOP));
      Instant start = Instant.now();
      recording.start();
      return new ProfileRecording(kind, settings, recording, start.plus(duration));
    } catch (RuntimeException | Error e) {
      recording.close();
      throw e;
    }
  }

  /** The settings of a recording of {@code kind}: livetrace's safe base, only its events on. */
  static Map<String, String> settings(ProfileKind kind, boolean cpuTimeSampling) {
    Map<String, String> settings = new HashMap<>(RecordingSettings.build("default", Map.of()));
    settings.replaceAll((key, value) -> key.endsWith("#enabled") ? "false" : value);
    // Event types that no configuration names (the application's own, livetrace's) are on by
    // default; a profile has no use for them.
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      settings.put(t.getName() + "#enabled", "false");
    }
    settings.putAll(kind.eventSettings(cpuTimeSampling));
    return settings;
  }

  public ProfileKind kind() {
    return kind;
  }

  @Override
  public Instant plannedEnd() {
    return plannedEnd;
  }

  /**
   * Stops recording; JFR then writes the events it writes at the end ({@code
   * jdk.OldObjectSample}). Does nothing the second time.
   */
  @Override
  public void stop() {
    if (recording.getState() == RecordingState.RUNNING) {
      // Settings are a union: another recording with a shorter period samples for this one too.
      executionSamplePeriodNanos = RecordingSettings.effectivePeriod("jdk.ExecutionSample");
      recording.stop();
    }
  }

  /**
   * The profile, read from the stopped recording.
   *
   * @throws IOException when the recording cannot be written to a file or read back
   */
  @Override
  public StackProfile profile() throws IOException {
    stop();
    if (dump == null) {
      dump = Files.createTempFile("livetrace-" + kind.path() + "-", ".jfr");
      recording.dump(dump);
    }
    return JfrProfileReader.read(
        dump, kind, executionSamplePeriodNanos > 0 ? OptionalLong.of(executionSamplePeriodNanos) : OptionalLong.empty());
  }

  /**
   * Writes the stopped recording as a .jfr file, each chunk checked whole first: nothing is
   * written when a chunk holds an event that carries secrets (another recording's settings can
   * put them there).
   *
   * @throws ChunkReader.RefusedEventsException when a chunk holds such events; nothing was written
   * @throws IOException when JFR or {@code out} failed
   */
  public void writeJfr(OutputStream out) throws IOException {
    stop();
    ChunkReader reader = new ChunkReader();
    List<ChunkReader.Chunk> chunks = reader.scan(recording, 0, RecordingSettings.refusedEventTypeIds(settings));
    reader.copy(recording, chunks, out, chunk -> {}, () -> false, () -> false);
  }

  /** Closes the recording and deletes its chunk files and dump. Never throws. */
  @Override
  public void close() {
    try {
      recording.close();
    } finally {
      if (dump != null) {
        try {
          Files.deleteIfExists(dump);
        } catch (IOException e) {
          dump.toFile().deleteOnExit(); // the profile was served; do not fail for its scratch file
        }
      }
    }
  }
}
