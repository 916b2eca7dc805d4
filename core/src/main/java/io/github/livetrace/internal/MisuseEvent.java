package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * The annotation API was misused (a region ended twice, on another thread, out of nesting
 * order...). It carries a stack trace, which points at the offending call; misuse is rare, so the
 * cost of the stack trace does not matter.
 */
@Name(EventNames.MISUSE)
@Label("Misuse")
@Category("livetrace")
@Description("The livetrace annotation API was used wrongly; the stack trace shows where")
public final class MisuseEvent extends jdk.jfr.Event {
  @Label("Kind")
  public String kind;

  @Label("Message")
  public String message;

  @Label("Count")
  @Description("Misuses counted in this JVM so far, including those not written as events")
  public long count;
}
