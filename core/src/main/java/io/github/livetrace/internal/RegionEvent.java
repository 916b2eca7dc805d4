package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A region: a time interval on one thread, inside a task. Its duration is the region's. */
@Name(EventNames.REGION)
@Label("Region")
@Category("livetrace")
@Description("A time interval on one thread, belonging to the task that was current when it began")
@StackTrace(false)
public final class RegionEvent extends jdk.jfr.Event {
  @TaskId
  @Label("Task Id")
  public long taskId;

  @Label("Region Type")
  public String regionType;

  /** Whether a region event would be recorded now; allocation-free once inlined. */
  public static boolean enabled() {
    return new RegionEvent().isEnabled();
  }
}
