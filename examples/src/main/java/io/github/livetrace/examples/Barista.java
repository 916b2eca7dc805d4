package io.github.livetrace.examples;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes drinks. Each order is a livetrace task; its steps run on a pool of barista threads as
 * regions, so one order spans several threads, and the single espresso machine is a lock that
 * orders wait for, which shows up in a trace as monitor contention.
 */
final class Barista {
  /** Drink name to whether it needs steamed milk. */
  static final Map<String, Boolean> MENU =
      Map.of("espresso", false, "americano", false, "latte", true, "cappuccino", true, "flat-white", true);

  /** Keeps the busy loop in {@link #work} from being optimised away. */
  private static volatile long sink;

  private final ExecutorService baristas;
  private final Object espressoMachine = new Object();

  /**
   * @param baristas the threads that do the steps; wrapped with {@link Task#propagating} so that
   *     each step runs in the order's task
   */
  Barista(ExecutorService baristas) {
    this.baristas = Task.propagating(baristas);
  }

  /** Makes one drink and returns a line describing it. */
  String order(String drink, String customer) {
    Task order = Trace.newTask("order");
    try (Task.Scope scope = order.makeCurrent()) {
      Trace.logf("order", "%s for %s", drink, customer);
      boolean milk = MENU.get(drink);
      CompletableFuture<Void> shot =
          CompletableFuture.runAsync(() -> Trace.withRegion("grindBeans", () -> work(2, 4)), baristas)
              .thenRunAsync(this::pullShot, baristas);
      CompletableFuture<Void> foam =
          milk
              ? CompletableFuture.runAsync(() -> Trace.withRegion("steamMilk", () -> work(3, 8)), baristas)
              : CompletableFuture.completedFuture(null);
      shot.thenCombine(foam, (a, b) -> null).join();
      try (Region serve = Trace.startRegion("serve")) {
        work(1, 2);
        Trace.log("order", "served " + drink);
      }
      return drink + " for " + customer + " (task " + order.id() + ")";
    } finally {
      order.end();
    }
  }

  private void pullShot() {
    Region waiting = Trace.startRegion("waitForMachine");
    synchronized (espressoMachine) {
      waiting.end();
      Trace.withRegion("pullShot", () -> work(4, 6));
    }
  }

  /** Stands for real work: some CPU, then some waiting, between min and max milliseconds. */
  private static void work(int minMillis, int maxMillis) {
    long millis = ThreadLocalRandom.current().nextLong(minMillis, maxMillis + 1);
    long cpuUntil = System.nanoTime() + millis * 300_000L;
    long x = 0;
    while (System.nanoTime() < cpuUntil) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime());
    }
    sink = x;
    try {
      Thread.sleep(millis * 7 / 10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
