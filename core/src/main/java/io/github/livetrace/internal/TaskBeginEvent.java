package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A task was created ({@code Trace.newTask}) that livetrace could not keep track of until it
 * ends (more tasks open at once than it tracks): so that it is seen even if it never ends. Other
 * tasks write only a {@link TaskEndEvent}, or an {@link OpenTaskEvent} at each chunk's end while
 * they are open. Traces written by livetrace 0.1 have one for every task.
 */
@Name(EventNames.TASK_BEGIN)
@Label("Task Begin")
@Category("livetrace")
@Description("A task (a logical operation that may span threads) began")
@StackTrace(false)
public final class TaskBeginEvent extends jdk.jfr.Event {
  @TaskId
  @Label("Task Id")
  public long taskId;

  @TaskId
  @Label("Parent Task Id")
  @Description("The task that was current on the creating thread; 0 when none")
  public long parentId;

  @Label("Task Type")
  public String taskType;
}
