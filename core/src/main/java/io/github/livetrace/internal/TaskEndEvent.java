package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A task ended (the first {@code Task.end()}): the one event a task writes, which says all of it.
 * It began {@code taskDuration} before this event, on {@code beginThread} (null: on this thread).
 * A task still open when a chunk ends is written then as an {@link OpenTaskEvent}; {@link
 * TaskBeginEvent} is written only for the tasks that livetrace cannot keep track of.
 */
@Name(EventNames.TASK_END)
@Label("Task End")
@Category("livetrace")
@Description("A task ended; it began taskDuration before, on beginThread (null: this thread)")
@StackTrace(false)
public final class TaskEndEvent extends jdk.jfr.Event {
  @TaskId
  @Label("Task Id")
  public long taskId;

  @TaskId
  @Label("Parent Task Id")
  public long parentId;

  @Label("Task Type")
  public String taskType;

  @Label("Task Duration")
  @Description("From the task's creation to its first end")
  @Timespan(Timespan.NANOSECONDS)
  public long taskDuration;

  @Label("Begin Thread")
  @Description("The thread that created the task, when not the thread that ended it")
  public Thread beginThread;

  @Label("Begin Event")
  @Description("Whether a livetrace.TaskBegin was written for this task (when too many were open to keep track of)")
  public boolean beginEvent;

  /** Whether a task end would be recorded now; allocation-free once inlined. */
  public static boolean enabled() {
    return new TaskEndEvent().isEnabled();
  }
}
