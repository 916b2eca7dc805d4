package io.github.livetrace.internal;

/**
 * Whether this runtime has the {@code jdk.jfr} module at all. A jlinked image may leave it out;
 * then every event class fails to load, and the annotation API must still never throw.
 */
public final class Jfr {
  /** True when JFR's classes can be loaded. */
  public static final boolean PRESENT = present();

  private Jfr() {}

  private static boolean present() {
    try {
      Class.forName("jdk.jfr.Event", false, Jfr.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
