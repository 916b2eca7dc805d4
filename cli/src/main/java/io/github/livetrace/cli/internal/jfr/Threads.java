package io.github.livetrace.cli.internal.jfr;

/** Thread handling shared by the decoder and by the {@code RecordingFile} reader. */
public final class Threads {
  private Threads() {}

  /**
   * Waits until {@code thread} has ended, even if interrupted meanwhile, and then restores the
   * interrupt: a reader's clean-up must not leave a worker behind that still reads the file.
   */
  public static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
