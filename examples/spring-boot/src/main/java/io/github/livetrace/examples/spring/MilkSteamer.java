package io.github.livetrace.examples.spring;

import io.github.livetrace.Trace;
import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** Steams milk on the {@code @Async} executor, in the task of the order that asked for it. */
@Service
class MilkSteamer {
  @Async
  public CompletableFuture<String> steam(String drink) {
    Trace.withRegion("steamMilk", () -> Work.forMillis(3, 8));
    return CompletableFuture.completedFuture("steamed milk for the " + drink);
  }
}
