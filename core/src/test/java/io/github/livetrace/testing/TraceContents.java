package io.github.livetrace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.livetrace.internal.EventNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;

/** The livetrace events of a downloaded trace, read with {@code jdk.jfr.consumer}. */
public final class TraceContents {
  private final Map<Long, RecordedEvent> begins = new HashMap<>();
  private final Map<Long, RecordedEvent> ends = new HashMap<>();
  private final List<RecordedEvent> logs;
  private final List<RecordedEvent> regions;
  private final List<RecordedEvent> livetrace;

  /** Reads the trace; fails the test if a task begins or ends twice. */
  public TraceContents(byte[] trace) {
    List<RecordedEvent> all = TraceFiles.events(trace);
    for (RecordedEvent e : of(all, "livetrace.TaskBegin")) {
      assertEquals(null, begins.put(e.getLong("taskId"), e), "two TaskBegin events for one task");
    }
    for (RecordedEvent e : of(all, "livetrace.TaskEnd")) {
      assertEquals(null, ends.put(e.getLong("taskId"), e), "two TaskEnd events for one task");
    }
    logs = of(all, "livetrace.Log");
    regions = of(all, "livetrace.Region");
    livetrace =
        all.stream().filter(e -> EventNames.ALL.contains(e.getEventType().getName())).collect(Collectors.toList());
  }

  /**
   * The string fields of livetrace events that read as null, as "type.field at time"; livetrace
   * never writes null (an absent string is written empty), so any is a string that JFR lost.
   */
  public List<String> nullStrings() {
    List<String> lost = new ArrayList<>();
    for (RecordedEvent e : livetrace) {
      for (ValueDescriptor field : e.getFields()) {
        if (field.getTypeName().equals(String.class.getName()) && e.getValue(field.getName()) == null) {
          lost.add(e.getEventType().getName() + "." + field.getName() + " at " + e.getStartTime());
        }
      }
    }
    return lost;
  }

  /** The {@code livetrace.Log} events. */
  public List<RecordedEvent> logs() {
    return logs;
  }

  private static List<RecordedEvent> of(List<RecordedEvent> all, String type) {
    return all.stream().filter(e -> e.getEventType().getName().equals(type)).collect(Collectors.toList());
  }

  /** Tasks whose type is {@code type} and that began in the trace. */
  public Set<Long> tasksOfType(String type) {
    return begins.values().stream()
        .filter(e -> type.equals(e.getString("taskType")))
        .map(e -> e.getLong("taskId"))
        .collect(Collectors.toSet());
  }

  /**
   * The tasks that logged a stop summary (see {@code LivetraceObservationHandler}) with the given
   * key value, such as {@code http.url=/greet/3}.
   */
  public Set<Long> observationTasksWith(String observation, String keyValue) {
    return logs.stream()
        .filter(e -> observation.equals(e.getString("category")))
        .filter(e -> Arrays.asList(e.getString("message").split(" ")).contains(keyValue))
        .map(e -> e.getLong("taskId"))
        .collect(Collectors.toSet());
  }

  /** The type of a task that began in the trace; fails if it did not. */
  public String typeOf(long taskId) {
    RecordedEvent begin = begins.get(taskId);
    assertNotNull(begin, "no TaskBegin for task " + taskId);
    return begin.getString("taskType");
  }

  public long parentOf(long taskId) {
    RecordedEvent begin = begins.get(taskId);
    assertNotNull(begin, "no TaskBegin for task " + taskId);
    return begin.getLong("parentId");
  }

  public boolean ended(long taskId) {
    return ends.containsKey(taskId);
  }

  public boolean hasRegion(long taskId, String type) {
    return regions.stream().anyMatch(e -> e.getLong("taskId") == taskId && type.equals(e.getString("regionType")));
  }

  public boolean hasLog(long taskId, String category, String message) {
    return logs.stream()
        .anyMatch(
            e -> e.getLong("taskId") == taskId
                && category.equals(e.getString("category"))
                && message.equals(e.getString("message")));
  }

  /** Tasks (or 0 for none) in which the given log was written. */
  public Set<Long> tasksThatLogged(String category, String message) {
    return logs.stream()
        .filter(e -> category.equals(e.getString("category")) && message.equals(e.getString("message")))
        .map(e -> e.getLong("taskId"))
        .collect(Collectors.toSet());
  }
}
