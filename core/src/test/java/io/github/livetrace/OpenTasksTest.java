package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task writes one event, its end; the tasks still open are written at the end of every chunk,
 * so that a trace, a flight-recorder window, or any of their chunks shows what had not ended.
 */
class OpenTasksTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
  private final List<Task> toEnd = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    Trace.stop();
    toEnd.forEach(Task::end); // their slots are the JVM's, shared with the other tests
    other.shutdownNow();
    other.awaitTermination(30, TimeUnit.SECONDS);
  }

  /** The livetrace events of each chunk of a trace, in order. */
  private static List<List<RecordedEvent>> eventsByChunk(byte[] trace) {
    List<List<RecordedEvent>> byChunk = new ArrayList<>();
    long offset = 0;
    for (ChunkHeader chunk : chunks(trace)) {
      byte[] bytes = Arrays.copyOfRange(trace, (int) offset, (int) (offset + chunk.chunkSize()));
      byChunk.add(
          TraceFiles.events(bytes).stream()
              .filter(e -> e.getEventType().getName().startsWith("livetrace."))
              .collect(Collectors.toList()));
      offset += chunk.chunkSize();
    }
    return byChunk;
  }

  private static List<RecordedEvent> of(List<RecordedEvent> events, String type, long taskId) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals(type) && e.getLong("taskId") == taskId)
        .collect(Collectors.toList());
  }

  @Test
  void aTaskOpenAcrossChunksIsInEachUntilItsEndWhichHoldsItsBegin() throws Exception {
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(300)));
    Task parent = Trace.newTask("parent");
    toEnd.add(parent);
    Task open;
    try (Task.Scope s = parent.makeCurrent()) {
      open = Trace.newTask("open");
    }
    toEnd.add(open);
    long created = System.nanoTime();
    // Open for two chunks at least, then ended on another thread.
    assertTrue(eventually(60, () -> session.chunksWritten() >= 2), "no chunks written");
    long openFor = System.nanoTime() - created;
    other.submit(open::end).get(60, TimeUnit.SECONDS);
    int endedBy = session.chunksWritten();
    assertTrue(eventually(60, () -> session.chunksWritten() > endedBy + 1), "no chunks after the end");
    Trace.stop();

    List<List<RecordedEvent>> chunks = eventsByChunk(out.toByteArray());
    List<Integer> openIn = new ArrayList<>();
    int endedIn = -1;
    for (int i = 0; i < chunks.size(); i++) {
      List<RecordedEvent> opens = of(chunks.get(i), EventNames.OPEN_TASK, open.id());
      assertTrue(opens.size() <= 1, "a task is open once per chunk");
      if (!opens.isEmpty()) {
        openIn.add(i);
        RecordedEvent e = opens.get(0);
        assertEquals("open", e.getString("taskType"));
        assertEquals(parent.id(), e.getLong("parentId"));
        assertEquals(Thread.currentThread().getName(), e.getThread("beginThread").getJavaName());
      }
      if (!of(chunks.get(i), EventNames.TASK_END, open.id()).isEmpty()) {
        assertEquals(-1, endedIn, "ended twice");
        endedIn = i;
      }
    }
    assertTrue(endedIn >= 2, "ended in chunk " + endedIn);
    assertEquals(
        java.util.stream.IntStream.range(0, endedIn).boxed().collect(Collectors.toList()),
        openIn,
        "open at the end of every chunk before its end, and not after");
    // A chunk-end event says how long the task had been open then: its begin is where it was.
    RecordedEvent lastOpen = of(chunks.get(endedIn - 1), EventNames.OPEN_TASK, open.id()).get(0);
    RecordedEvent end = of(chunks.get(endedIn), EventNames.TASK_END, open.id()).get(0);
    Duration duration = end.getDuration("taskDuration");
    assertTrue(duration.toNanos() >= openFor, duration + " < " + openFor + " ns");
    assertTrue(lastOpen.getDuration("taskDuration").compareTo(duration) < 0);
    long beginSkew =
        Duration.between(end.getStartTime().minus(duration), lastOpen.getStartTime().minus(lastOpen.getDuration("taskDuration")))
            .abs()
            .toNanos();
    // Each reads the time it has been open right before its commit: a read taken earlier (before
    // the table's scan, or before the string pool guard's wait) put begins up to 1.3 ms late.
    assertTrue(beginSkew < 1_000_000, "the two events place the begin " + beginSkew + " ns apart");
    assertEquals(parent.id(), end.getLong("parentId"));
    assertEquals("other-thread", end.getThread().getJavaName());
    assertEquals(Thread.currentThread().getName(), end.getThread("beginThread").getJavaName());
    // The parent never ended: it is open in the last chunk, as a trace's end shows it.
    assertFalse(of(chunks.get(chunks.size() - 1), EventNames.OPEN_TASK, parent.id()).isEmpty());
    assertTrue(chunks.stream().allMatch(c -> of(c, EventNames.TASK_BEGIN, parent.id()).isEmpty()));
  }

  @Test
  void aTaskEndedOnItsOwnThreadNamesNoOther() {
    Trace.start(out);
    Task first = Trace.newTask("first");
    first.end();
    Task second = Trace.newTask("second");
    second.end();
    Trace.stop();
    List<RecordedEvent> events =
        eventsByChunk(out.toByteArray()).stream().flatMap(List::stream).collect(Collectors.toList());
    for (Task task : List.of(first, second)) {
      RecordedEvent end = of(events, EventNames.TASK_END, task.id()).get(0);
      assertNull(end.getThread("beginThread"), "begun and ended on one thread");
      assertTrue(end.getDuration("taskDuration").toMillis() < 1000);
    }
  }

  @Test
  void moreOpenTasksThanTheTableHoldsAreWrittenAsTheyBeginAndNoneIsLost() {
    Trace.start(out);
    int count = OpenTasks.SIZE + 500;
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tasks.add(Trace.newTask("crowd"));
    }
    toEnd.addAll(tasks);
    Task halfOfThem = tasks.get(count / 2);
    Trace.stop();
    // Ended in a second trace (appended to the first), which frees their slots: the next task is
    // tracked, not written as it begins.
    Trace.start(out);
    tasks.forEach(Task::end);
    Task after = Trace.newTask("after");
    toEnd.add(after);
    Trace.stop();

    List<RecordedEvent> events = TraceFiles.events(out.toByteArray());
    Set<Long> shown = new HashSet<>();
    long begins = 0;
    for (RecordedEvent e : events) {
      String name = e.getEventType().getName();
      if ((name.equals(EventNames.OPEN_TASK) || name.equals(EventNames.TASK_BEGIN)) && "crowd".equals(e.getString("taskType"))) {
        shown.add(e.getLong("taskId"));
        begins += name.equals(EventNames.TASK_BEGIN) ? 1 : 0;
      }
    }
    assertEquals(count, shown.size(), "every open task is shown");
    assertTrue(begins >= count - OpenTasks.SIZE, begins + " written as they began");
    // Each end says whether a begin was written for it, so that readers count a task once.
    Set<Long> begun = new HashSet<>();
    events.stream().filter(e -> e.getEventType().getName().equals(EventNames.TASK_BEGIN)).forEach(e -> begun.add(e.getLong("taskId")));
    long ends = 0;
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals(EventNames.TASK_END) && "crowd".equals(e.getString("taskType"))) {
        assertEquals(begun.contains(e.getLong("taskId")), e.getBoolean("beginEvent"), "task " + e.getLong("taskId"));
        ends++;
      }
    }
    assertEquals(count, ends);
    assertTrue(shown.contains(halfOfThem.id()));
    assertTrue(
        events.stream()
            .anyMatch(e -> e.getEventType().getName().equals(EventNames.OPEN_TASK) && e.getLong("taskId") == after.id()),
        "a task after the crowd ended is tracked again");
  }

  @Test
  void aFlightRecorderWindowShowsTheTasksOpenWhenItWasWritten() throws Exception {
    FlightRecorder recorder = new FlightRecorder(FlightRecorderOptions.defaults());
    recorder.start();
    try {
      Task open = Trace.newTask("inFlight");
      toEnd.add(open);
      ByteArrayOutputStream window = new ByteArrayOutputStream();
      recorder.writeTo(window);
      List<RecordedEvent> events = TraceFiles.events(window.toByteArray());
      List<RecordedEvent> opens = of(events, EventNames.OPEN_TASK, open.id());
      assertFalse(opens.isEmpty(), "the window does not show the open task");
      assertEquals("inFlight", opens.get(opens.size() - 1).getString("taskType"));
      assertTrue(of(events, EventNames.TASK_END, open.id()).isEmpty());
    } finally {
      recorder.stop();
    }
  }
}
