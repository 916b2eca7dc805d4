package io.github.livetrace;

import io.github.livetrace.internal.Misuse;
import io.github.livetrace.internal.RegionEvent;
import io.github.livetrace.internal.StringPoolGuard;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A time interval on one thread, inside the task that was current when it began: Go's {@code
 * trace.Region}. Regions nest per thread, and become {@code livetrace.Region} events with their
 * duration. Obtain one from {@link Trace#startRegion(String)}, and end it on the same thread, best
 * with try-with-resources:
 *
 * <pre>{@code
 * try (Region r = Trace.startRegion("grindBeans")) {
 *     grind();
 * }
 * }</pre>
 *
 * <p>A region started while no trace records is a shared no-op instance, so leaving annotations
 * in production code costs almost nothing. Misuse (ending twice, on another thread, or before a
 * region nested in it) never throws: it is counted and written as a {@code livetrace.Misuse}
 * event. A region ended on another thread is not recorded there, since JFR would attribute it to
 * the wrong thread.
 */
public final class Region implements AutoCloseable {
  static final Region NOOP = new Region(null, null, null, null);

  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(Region.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final RegionEvent event;
  private final String type;
  private final Thread owner;
  private final ThreadState state; // null when nesting is not tracked
  @SuppressWarnings("unused") // through ENDED
  private boolean ended;

  private Region(RegionEvent event, String type, Thread owner, ThreadState state) {
    this.event = event;
    this.type = type;
    this.owner = owner;
    this.state = state;
  }

  static Region begin(String type) {
    ThreadState state = ThreadState.get();
    RegionEvent event = new RegionEvent();
    event.taskId = state.current().id();
    event.regionType = type;
    Region region = new Region(event, type, Thread.currentThread(), state);
    if (!state.push(region)) {
      region = new Region(event, type, region.owner, null);
    }
    event.begin();
    return region;
  }

  /**
   * Ends the region and records it. Later calls, and calls from another thread, are misuse:
   * counted and reported, never thrown.
   */
  public void end() {
    if (event == null) {
      return;
    }
    try {
      // Opaque access, no fence: only the owner records the region, so a race with a misusing
      // thread can at worst report the misuse without stopping the owner's own end.
      if (Thread.currentThread() != owner) {
        ENDED.setOpaque(this, true);
        Misuse.report(
            "region-ended-on-other-thread",
            "region '" + type + "' began on thread '" + owner.getName()
                + "' and was ended on thread '" + Thread.currentThread().getName()
                + "'; regions must end on the thread they began on; it is not recorded");
        return;
      }
      if ((boolean) ENDED.getOpaque(this)) {
        Misuse.report("region-ended-twice", "region '" + type + "' was ended more than once");
        return;
      }
      ENDED.setOpaque(this, true);
      if (state != null) {
        state.pop(this);
      }
      StringPoolGuard.beforeCommit();
      event.commit();
    } catch (RuntimeException e) {
      // Never into application code.
    }
  }

  /** Same as {@link #end()}, for try-with-resources. */
  @Override
  public void close() {
    end();
  }

  /** The region type, as recorded (bounded to {@value io.github.livetrace.internal.Text#MAX_NAME} chars); empty for the no-op region. */
  public String type() {
    return type == null ? "" : type;
  }

  boolean isEnded() {
    return (boolean) ENDED.getOpaque(this);
  }
}
