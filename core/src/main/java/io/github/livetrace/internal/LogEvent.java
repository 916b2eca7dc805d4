package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A message logged in the current task ({@code Trace.log}). */
@Name(EventNames.LOG)
@Label("Log")
@Category("livetrace")
@Description("A message logged by the application, in the task current on the thread")
@StackTrace(false)
public final class LogEvent extends jdk.jfr.Event {
  @TaskId
  @Label("Task Id")
  public long taskId;

  @Label("Category")
  public String category;

  @Label("Message")
  public String message;

  /** Whether a log event would be recorded now; allocation-free once inlined. */
  public static boolean enabled() {
    return new LogEvent().isEnabled();
  }
}
