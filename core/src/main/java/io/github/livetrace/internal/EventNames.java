package io.github.livetrace.internal;

import java.util.List;

/** The JFR names of livetrace's own event types, for writers and readers alike. */
public final class EventNames {
  public static final String TASK_BEGIN = "livetrace.TaskBegin";
  public static final String TASK_END = "livetrace.TaskEnd";
  /** {@link OpenTaskEvent}: a task still open when a chunk ended, at the end of each. */
  public static final String OPEN_TASK = "livetrace.OpenTask";
  public static final String REGION = "livetrace.Region";
  public static final String LOG = "livetrace.Log";
  public static final String MISUSE = "livetrace.Misuse";

  /** {@link JvmEvent}: which JVM wrote a chunk, at the start of each. */
  public static final String JVM = "livetrace.JVM";

  /**
   * {@link StringPoolSyncEvent}, bookkeeping that readers skip. Named outside {@code livetrace.}
   * so that {@code jfr print --events 'livetrace.*'} shows only what the application recorded.
   */
  public static final String STRING_POOL_SYNC = "io.github.livetrace.StringPoolSync";

  /** The events that annotation calls write, in the order a reader usually wants them. */
  public static final List<String> ALL = List.of(TASK_BEGIN, TASK_END, OPEN_TASK, REGION, LOG, MISUSE);

  private EventNames() {}
}
