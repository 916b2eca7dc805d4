package io.github.livetrace.spring;

import io.github.livetrace.Trace;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * The application under test: two endpoints, one of which calls the other through an observed
 * {@link RestClient}, so that a trace holds server tasks and a client task that is a child of one;
 * and a third that logs strings JFR pools.
 * Uses only APIs that Spring Boot 3.5 and 4.0 share: the same sources run against both.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(TestApp.Greetings.class)
public class TestApp {
  // Longer than 16 chars: JFR writes such strings once per chunk into its string pool.
  static final String ORDER_CATEGORY = "order-processing-category";
  static final String ORDER_MESSAGE = "loaded an order of customer acme-corporation";

  @RestController
  static class Greetings {
    private final RestClient client;
    private final Environment environment;

    Greetings(ObjectProvider<ObservationRegistry> observations, Environment environment) {
      this.client =
          RestClient.builder()
              .observationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
              .build();
      this.environment = environment;
    }

    @GetMapping("/greet/{n}")
    String greet(@PathVariable("n") int n) {
      Trace.log("greet", "hello " + n);
      return "hello " + n;
    }

    @GetMapping("/order/{n}")
    String order(@PathVariable("n") int n) {
      Trace.log(ORDER_CATEGORY, ORDER_MESSAGE);
      return "order " + n;
    }

    @GetMapping("/chain/{n}")
    String chain(@PathVariable("n") int n) {
      String port = environment.getRequiredProperty("local.server.port");
      return "chained "
          + client.get().uri("http://127.0.0.1:{port}/greet/{n}", port, n).retrieve().body(String.class);
    }
  }
}
