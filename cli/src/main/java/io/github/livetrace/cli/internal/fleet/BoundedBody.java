package io.github.livetrace.cli.internal.fleet;

import io.fabric8.kubernetes.client.http.AsyncBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A streamed body read as an {@link InputStream} that holds at most {@link #MAX_BYTES}: the next
 * batch is asked of the HTTP client ({@link AsyncBody#consume()}) only once the reader has taken
 * what came, so that a pull of many pods keeps a few KB per pod in memory, whatever the pods send,
 * and the rest waits in the network's buffers. (fabric8's own {@code InputStream} body reads ahead
 * without bound: 50 pods sending 650 KB chunks ran a 96 MB heap out.)
 */
final class BoundedBody extends InputStream implements AsyncBody.Consumer<List<ByteBuffer>> {
  /** Held at most, unless one batch of the client is larger: that batch, then nothing more. */
  static final int MAX_BYTES = 256 * 1024;

  private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
  private long held;
  private boolean asked; // a batch has been asked for and not come yet
  private boolean done;
  private Throwable failure;
  private AsyncBody body;

  /** Starts reading: called once the status and headers are in. */
  synchronized void start(AsyncBody body) {
    this.body = body;
    body.done().whenComplete((ok, error) -> finished(error));
    ask();
  }

  @Override
  public synchronized void consume(List<ByteBuffer> batch, AsyncBody from) {
    asked = false;
    for (ByteBuffer b : batch) {
      if (b.hasRemaining()) {
        ByteBuffer copy = ByteBuffer.allocate(b.remaining()).put(b).flip();
        buffers.add(copy);
        held += copy.remaining();
      }
    }
    if (held < MAX_BYTES) {
      ask();
    }
    notifyAll();
  }

  private synchronized void finished(Throwable error) {
    done = true;
    failure = error;
    notifyAll();
  }

  private void ask() {
    if (!asked && !done && body != null) {
      asked = true;
      body.consume();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] into, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    try {
      while (buffers.isEmpty()) {
        if (done) {
          if (failure != null) {
            throw new IOException("the answer ended early: " + failure.getMessage(), failure);
          }
          return -1;
        }
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    ByteBuffer first = buffers.peek();
    int n = Math.min(len, first.remaining());
    first.get(into, off, n);
    held -= n;
    if (!first.hasRemaining()) {
      buffers.poll();
    }
    if (held < MAX_BYTES / 2) {
      ask();
    }
    return n;
  }

  @Override
  public synchronized void close() {
    if (body != null && !done) {
      body.cancel();
    }
    done = true;
    buffers.clear();
    notifyAll();
  }
}
