package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A task ended (the first {@code Task.end()}). It repeats the type and parent so that a task
 * begun before the trace started is still attributed.
 */
@Name(EventNames.TASK_END)
@Label("Task End")
@Category("livetrace")
@Description("A task ended; taskDuration runs from its creation to its first end")
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
  @Timespan(Timespan.NANOSECONDS)
  public long taskDuration;
}
