package io.github.livetrace.examples.spring;

import io.github.livetrace.Trace;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The front of the shop. An order asks the barista for a shot over HTTP (an observed client call,
 * so a child task of the order's request task) while the milk is steamed by an {@code @Async}
 * method on another thread, in the same task.
 */
@RestController
class Counter {
  /** Drink to whether it needs steamed milk. */
  static final Map<String, Boolean> MENU =
      Map.of("espresso", false, "americano", false, "latte", true, "cappuccino", true, "flat-white", true);

  private final AtomicInteger orders = new AtomicInteger();
  private final ShopClient shop;
  private final MilkSteamer steamer;

  Counter(ShopClient shop, MilkSteamer steamer) {
    this.shop = shop;
    this.steamer = steamer;
  }

  @GetMapping("/menu")
  Map<String, Boolean> menu() {
    return MENU;
  }

  @PostMapping("/orders")
  ResponseEntity<String> order(@RequestParam("drink") String drink) {
    Boolean milk = MENU.get(drink);
    if (milk == null) {
      return ResponseEntity.badRequest().body("we do not serve " + drink + "; see /menu\n");
    }
    int number = orders.incrementAndGet();
    // The order number is a detail of this request: a log, never part of a task or region type.
    Trace.logf("order", "#%d %s", number, drink);
    CompletableFuture<String> foam = milk ? steamer.steam(drink) : CompletableFuture.completedFuture("no milk");
    String shot = shop.brew(drink);
    String steamed = foam.join();
    return ResponseEntity.ok(
        Trace.withRegion("serve", () -> "#" + number + " " + drink + ": " + shot + ", " + steamed + "\n"));
  }
}
