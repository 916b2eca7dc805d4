package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A task that was open when a chunk ended, written at the end of every chunk for every open task
 * livetrace keeps track of: a trace or a window, which is made of whole chunks, thus shows the
 * tasks that had not ended by its end, with their begin. The same task appears in each chunk
 * while it is open, and then in a {@link TaskEndEvent}; readers keep the last.
 */
@Name(EventNames.OPEN_TASK)
@Label("Open Task")
@Category("livetrace")
@Description("A task still open when the chunk ended; it began taskDuration before, on beginThread")
@StackTrace(false)
@Period("endChunk")
public final class OpenTaskEvent extends jdk.jfr.Event {
  @TaskId
  @Label("Task Id")
  public long taskId;

  @TaskId
  @Label("Parent Task Id")
  public long parentId;

  @Label("Task Type")
  public String taskType;

  @Label("Open For")
  @Description("From the task's creation to the end of the chunk")
  @Timespan(Timespan.NANOSECONDS)
  public long taskDuration;

  @Label("Begin Thread")
  @Description("The thread that created the task")
  public Thread beginThread;
}
