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
  // Per task, the event that says most of it: its end, else its last open-task event, else its begin.
  private final Map<Long, RecordedEvent> tasks = new HashMap<>();
  private final Map<Long, RecordedEvent> ends = new HashMap<>();
  private final List<RecordedEvent> logs;
  private final List<RecordedEvent> regions;
  private final List<RecordedEvent> livetrace;

  /** Reads the trace; fails the test if a task begins or ends twice. */
  public TraceContents(byte[] trace) {
    List<RecordedEvent> all = TraceFiles.events(trace);
    for (RecordedEvent e : of(all, EventNames.TASK_BEGIN)) {
      assertEquals(null, tasks.put(e.getLong("taskId"), e), "two TaskBegin events for one task");
    }
    for (RecordedEvent e : of(all, EventNames.OPEN_TASK)) {
      tasks.put(e.getLong("taskId"), e); // in time order: the last chunk's wins
    }
    for (RecordedEvent e : of(all, EventNames.TASK_END)) {
      assertEquals(null, ends.put(e.getLong("taskId"), e), "two TaskEnd events for one task");
      tasks.put(e.getLong("taskId"), e);
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

  /** Tasks whose type is {@code type} and that the trace shows: begun, ended or open in it. */
  public Set<Long> tasksOfType(String type) {
    return tasks.values().stream()
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

  /** The type of a task the trace shows; fails if it does not. */
  public String typeOf(long taskId) {
    return task(taskId).getString("taskType");
  }

  public long parentOf(long taskId) {
    return task(taskId).getLong("parentId");
  }

  private RecordedEvent task(long taskId) {
    RecordedEvent event = tasks.get(taskId);
    assertNotNull(event, "the trace does not show task " + taskId);
    return event;
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
