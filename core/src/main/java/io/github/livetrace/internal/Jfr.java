package io.github.livetrace.internal;

/**
 * Whether this runtime has the {@code jdk.jfr} module at all (a jlinked image may leave it out;
 * then every event class fails to load, and the annotation API must still never throw), and
 * whether the JVM is exiting.
 */
public final class Jfr {
  /** True when JFR's classes can be loaded. */
  public static final boolean PRESENT = present();

  private Jfr() {}

  /**
   * Whether the JVM is exiting: JFR's own shutdown hook then stops every recording, which is no
   * outside action to report. A shutdown hook can only be added before the shutdown begins.
   */
  public static boolean jvmShuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static boolean present() {
    try {
      Class.forName("jdk.jfr.Event", false, Jfr.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
