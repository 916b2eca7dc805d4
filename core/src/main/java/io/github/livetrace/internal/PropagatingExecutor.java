package io.github.livetrace.internal;

import io.github.livetrace.Task;
import java.util.concurrent.Executor;

/** Runs each command in the task current where it was handed over. */
public final class PropagatingExecutor implements Executor {
  private final Executor delegate;

  public PropagatingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable command) {
    delegate.execute(Task.current().wrap(command));
  }

  @Override
  public String toString() {
    return "PropagatingExecutor[" + delegate + "]";
  }
}
