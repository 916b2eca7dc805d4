package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@code export --task ID} shows, found in a first pass: the task's span, its children, and
 * the threads the task and its children ran on (began, ended, had regions or logs).
 *
 * <p>Within a chunk a child's regions may be read before its begin says whose child it is, so the
 * threads of tasks not yet known are noted until the chunk ends.
 */
public final class TaskScope implements JfrEventHandler {
  private final long taskId;
  private long beginNanos = Long.MIN_VALUE;
  private long endNanos = Long.MIN_VALUE;
  private final Set<Long> tasks = new HashSet<>();
  private final Set<Long> threads = new HashSet<>();
  private final Map<Long, Set<Long>> threadsOfOthers = new HashMap<>(); // in the chunk being read

  public TaskScope(long taskId) {
    this.taskId = taskId;
    tasks.add(taskId);
  }

  @Override
  public EventSelection select(JfrType type) {
    return LivetraceEvents.select(type, false);
  }

  @Override
  public void beginChunk(int index) {
    threadsOfOthers.clear();
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || tag == LivetraceEvents.MISUSE) {
      return;
    }
    long id = event.longValue(LivetraceEvents.TASK_ID);
    boolean taskEvent = LivetraceEvents.isTaskEvent(tag);
    if (taskEvent) {
      if (id == taskId) {
        if (tag == LivetraceEvents.TASK_BEGIN) {
          beginNanos = event.startNanos();
        } else {
          if (tag == LivetraceEvents.TASK_END) {
            endNanos = event.endNanos();
          }
          if (beginNanos == Long.MIN_VALUE) {
            beginNanos = LivetraceEvents.beginNanos(event);
          }
        }
      } else if (event.longValue(LivetraceEvents.PARENT_ID) == taskId && tasks.add(id)) {
        threads.addAll(threadsOfOthers.getOrDefault(id, Set.of()));
      }
    }
    // An open task's event is written by whichever thread ends the chunk: its thread is its
    // begin's. An end names the thread of its begin when that was another.
    ranOn(id, tag == LivetraceEvents.OPEN_TASK ? null : event.thread());
    if (taskEvent && tag != LivetraceEvents.TASK_BEGIN) {
      ranOn(id, event.thread(LivetraceEvents.BEGIN_THREAD));
    }
  }

  private void ranOn(long id, JfrThread thread) {
    if (thread == null) {
      return;
    }
    if (tasks.contains(id)) {
      threads.add(thread.id());
    } else {
      threadsOfOthers.computeIfAbsent(id, t -> new HashSet<>()).add(thread.id());
    }
  }

  /** Whether the trace has the task's begin or end. */
  public boolean found() {
    return beginNanos != Long.MIN_VALUE;
  }

  /** The task's span (up to the end of the trace when it did not end in it), tasks and threads. */
  public ChromeTraceExport.Selection selection(TraceFile file) {
    long end = endNanos == Long.MIN_VALUE ? file.endNanos() : endNanos;
    return new ChromeTraceExport.Selection(beginNanos, end, Set.copyOf(tasks), Set.copyOf(threads));
  }
}
