package io.github.livetrace.examples.spring;

import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientException;

/**
 * Regular customers who order their usual over HTTP, one after another. Each run is a {@code
 * tasks.scheduled.execution} observation, so a task whose child is the client call of the order.
 */
@Component
@ConditionalOnProperty(prefix = "coffee.regulars", name = "enabled", havingValue = "true", matchIfMissing = true)
class Regulars {
  private static final Log LOG = LogFactory.getLog(Regulars.class);
  private static final List<String> USUALS = List.of("latte", "espresso", "cappuccino", "americano", "flat-white");

  private final ShopClient shop;
  private int next;

  Regulars(ShopClient shop) {
    this.shop = shop;
  }

  @Scheduled(initialDelay = 1000, fixedDelayString = "${coffee.regulars.every-millis:300}")
  void orderTheUsual() {
    String drink = USUALS.get(next++ % USUALS.size());
    try {
      shop.order(drink);
    } catch (RestClientException e) {
      // While the shop shuts down; the next run tries again.
      LOG.debug("a regular could not order a " + drink, e);
    }
  }
}
