package io.github.livetrace.internal;

import java.io.IOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The JFR settings of a livetrace recording, and the check that no other recording leaks the
 * events livetrace keeps out.
 *
 * <p>Starting point is one of the JDK's configurations ({@code default} or {@code profile}). Two
 * groups of events are then turned off:
 *
 * <ul>
 *   <li>{@link #SENSITIVE_EVENTS}: events that carry environment variables, system properties,
 *       command lines and agent options, where passwords and tokens live. Verified with planted
 *       secrets on JDK 17 and 25.
 *   <li>Chunk-periodic events (period {@code beginChunk}, {@code endChunk}, {@code everyChunk}),
 *       except the few in {@link #KEPT_CHUNK_EVENTS}. A livetrace trace is cut into a chunk per
 *       second, and these events are written again in every chunk: with them an empty chunk is
 *       about 200 KB and costs a thread dump, without them about 120 KB.
 * </ul>
 *
 * <p>Settings are the union of all running recordings, and chunks are shared between them. When
 * the application runs its own recording that enables a sensitive event, that event appears in
 * livetrace's chunks whatever livetrace asked for: {@link #sensitiveEventsEnabledElsewhere} finds
 * such a recording, and the recorder refuses to stream unless told otherwise.
 */
public final class RecordingSettings {

  /** Events whose fields carry secrets or command lines; off in every livetrace recording. */
  public static final Set<String> SENSITIVE_EVENTS =
      Set.of(
          "jdk.InitialEnvironmentVariable", // every environment variable, API keys included
          "jdk.InitialSystemProperty", // system properties, -Dpassword=...
          "jdk.InitialSecurityProperty", // java.security properties (JDK 20+)
          "jdk.SecurityPropertyModification", // values set through Security.setProperty
          "jdk.JVMInformation", // the JVM and program arguments
          "jdk.SystemProcess", // command lines of every process on the host
          "jdk.ProcessStart", // command lines of started children (JDK 23+)
          "jdk.StringFlag", // string -XX flags, which hold file paths and options
          "jdk.JavaAgent", // -javaagent options, where APM agents take API keys (JDK 24+)
          "jdk.NativeAgent", // -agentlib/-agentpath options (JDK 24+)
          "jdk.ActiveRecording"); // names and destinations of the other recordings

  /** Chunk-periodic events small and useful enough to keep in every chunk. */
  public static final Set<String> KEPT_CHUNK_EVENTS =
      Set.of(
          "jdk.CPUInformation",
          "jdk.ContainerConfiguration",
          "jdk.GCConfiguration",
          "jdk.GCHeapConfiguration",
          "jdk.PhysicalMemory",
          "jdk.VirtualizationInformation");

  /**
   * Written at every chunk start, one event per setting of every running recording (hundreds):
   * noise for a reader of a live trace, and not governed by a period.
   */
  private static final String ACTIVE_SETTING = "jdk.ActiveSetting";

  private static final Set<String> CHUNK_PERIODS = Set.of("beginChunk", "endChunk", "everyChunk");
  private static final Pattern CONFIGURATION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private RecordingSettings() {}

  /** The names of the JFR configurations this JVM ships ({@code default}, {@code profile}). */
  public static Set<String> availableConfigurations() {
    Set<String> names = new TreeSet<>();
    for (Configuration c : Configuration.getConfigurations()) {
      names.add(c.getName());
    }
    return names;
  }

  /**
   * Checks that {@code name} is one of this JVM's configurations. Only names are accepted, never
   * paths: a configuration name may come from an HTTP request.
   *
   * @throws IllegalArgumentException naming the configurations that exist
   */
  public static void requireConfiguration(String name) {
    if (name == null
        || !CONFIGURATION_NAME.matcher(name).matches()
        || !availableConfigurations().contains(name)) {
      throw new IllegalArgumentException(
          "unknown JFR configuration '"
              + name
              + "'; this JVM has "
              + String.join(", ", availableConfigurations()));
    }
  }

  /**
   * The settings for a livetrace recording.
   *
   * @param configuration a JFR configuration name, checked with {@link #requireConfiguration}
   * @param extra settings applied last ({@code "jdk.ThreadSleep#threshold" -> "5 ms"}); they may
   *     turn events back on
   */
  public static Map<String, String> build(String configuration, Map<String, String> extra) {
    requireConfiguration(configuration);
    JvmEvent.register();
    Map<String, String> base;
    try {
      base = Configuration.getConfiguration(configuration).getSettings();
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("cannot read JFR configuration '" + configuration + "'", e);
    }
    Map<String, String> settings = new HashMap<>(base);
    for (Map.Entry<String, String> e : base.entrySet()) {
      String key = e.getKey();
      if (key.endsWith("#period") && CHUNK_PERIODS.contains(e.getValue().trim())) {
        String event = key.substring(0, key.indexOf('#'));
        if (!KEPT_CHUNK_EVENTS.contains(event)) {
          settings.put(event + "#enabled", "false");
        }
      }
    }
    for (String event : SENSITIVE_EVENTS) {
      settings.put(event + "#enabled", "false");
    }
    settings.put(ACTIVE_SETTING + "#enabled", "false");
    settings.putAll(extra);
    return settings;
  }

  /**
   * The sensitive events that some running recording other than {@code own} enables, with the
   * recording that does, as readable lines; empty when there are none.
   */
  public static List<String> sensitiveEventsEnabledElsewhere(Recording own) {
    List<String> found = new ArrayList<>();
    if (!FlightRecorder.isInitialized()) {
      return found; // no recording has ever run in this JVM
    }
    for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (own == null || r.getId() != own.getId()) {
        found.addAll(sensitiveEventsEnabledBy(r));
      }
    }
    return found;
  }

  /**
   * The sensitive events {@code recording} enables while it runs, as readable lines naming it;
   * empty when it enables none or does not run.
   */
  public static List<String> sensitiveEventsEnabledBy(Recording recording) {
    List<String> found = new ArrayList<>();
    if (recording.getState() != RecordingState.RUNNING) {
      return found;
    }
    Map<String, String> settings = recording.getSettings();
    for (String event : new TreeSet<>(SENSITIVE_EVENTS)) {
      if ("true".equalsIgnoreCase(settings.getOrDefault(event + "#enabled", "").trim())) {
        found.add(event + " (recording " + recording.getId() + " '" + recording.getName() + "')");
      }
    }
    return found;
  }

  /**
   * The JVM's type ids of the {@link #SENSITIVE_EVENTS} it has, to name: the ids that event
   * records in this JVM's chunks carry. Built once, on first use, after JFR is initialized.
   */
  public static Map<Long, String> sensitiveEventTypeIds() {
    return SensitiveTypeIds.IDS;
  }

  /**
   * The sensitive event types a recording with these settings must not find in its chunks: all
   * of them, but those the settings themselves turn on, an explicit choice of the caller.
   */
  public static Map<Long, String> refusedEventTypeIds(Map<String, String> settings) {
    Map<Long, String> refused = new HashMap<>(SensitiveTypeIds.IDS);
    refused.values().removeIf(event -> "true".equalsIgnoreCase(settings.getOrDefault(event + "#enabled", "").trim()));
    return refused;
  }

  private static final class SensitiveTypeIds {
    static final Map<Long, String> IDS = find();

    private static Map<Long, String> find() {
      Map<Long, String> ids = new HashMap<>();
      for (EventType type : FlightRecorder.getFlightRecorder().getEventTypes()) {
        if (SENSITIVE_EVENTS.contains(type.getName())) {
          ids.put(type.getId(), type.getName());
        }
      }
      return Map.copyOf(ids);
    }
  }

  /**
   * The shortest period any running recording gives {@code event} (JFR's settings are a union:
   * the shortest wins), in nanoseconds; -1 when none enables it with a period livetrace parses.
   */
  public static long effectivePeriod(String event) {
    long shortest = -1;
    for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
      if (r.getState() != RecordingState.RUNNING) {
        continue;
      }
      Map<String, String> s = r.getSettings();
      if (!"true".equalsIgnoreCase(s.getOrDefault(event + "#enabled", "").trim())) {
        continue;
      }
      try {
        long period = Durations.parseNanos(s.getOrDefault(event + "#period", "").replace(" ", ""));
        if (period > 0 && (shortest < 0 || period < shortest)) {
          shortest = period;
        }
      } catch (IllegalArgumentException e) {
        // a period JFR accepts and livetrace does not parse ("everyChunk"): no use here
      }
    }
    return shortest;
  }
}
