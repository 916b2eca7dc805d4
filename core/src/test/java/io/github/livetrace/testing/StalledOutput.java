package io.github.livetrace.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An output whose first write blocks until {@link #release()}: a client that stopped reading. An
 * interrupt ends the blocked write with an {@code InterruptedIOException}, as a socket's would.
 */
public final class StalledOutput extends OutputStream {
  private final CountDownLatch stalled = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    stalled.countDown();
    try {
      released.await();
    } catch (InterruptedException e) {
      throw new InterruptedIOException("interrupted in a stalled write");
    }
  }

  /** Waits until a write is blocked here. */
  public boolean awaitStalled(long seconds) throws InterruptedException {
    return stalled.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets every write through from now on. */
  public void release() {
    released.countDown();
  }
}
