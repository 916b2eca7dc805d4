package io.github.livetrace.examples.spring;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Calls the shop's own HTTP endpoints through Boot's {@code RestClient.Builder}, which is
 * observed: each call is an {@code http.client.requests} task, a child of the task it is made in.
 */
@Component
class ShopClient {
  private final RestClient client;
  private final Environment environment;

  ShopClient(RestClient.Builder builder, Environment environment) {
    this.client = builder.build();
    this.environment = environment;
  }

  String order(String drink) {
    return client.post().uri(base() + "/orders?drink={drink}", drink).retrieve().body(String.class);
  }

  String brew(String drink) {
    return client.post().uri(base() + "/barista/brew?drink={drink}", drink).retrieve().body(String.class);
  }

  /** The port is known once the server runs, and may be random. */
  private String base() {
    return "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
  }
}
