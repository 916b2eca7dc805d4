package io.github.livetrace.examples;

import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;

/** The demo, in-process: its trace has what the README promises. */
class CoffeeShopTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void aTraceOfTheShopUnderLoadShowsOrdersAsTasksAcrossBaristaThreads() throws Exception {
    try (CoffeeShop shop = CoffeeShop.start(0, true)) {
      HttpResponse<String> menu = client.send(HttpRequest.newBuilder(shop.uri().resolve("/menu")).build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(menu.body().contains("latte"));
      HttpResponse<byte[]> trace =
          client.send(
              HttpRequest.newBuilder(shop.uri().resolve("/debug/pprof/trace?seconds=2")).timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, trace.statusCode());
      assertTrue(jfr(trace.body(), "summary").contains("livetrace.TaskBegin"));

      List<RecordedEvent> events = events(trace.body());
      Set<String> regions =
          events.stream()
              .filter(e -> e.getEventType().getName().equals("livetrace.Region"))
              .map(e -> e.getString("regionType"))
              .collect(Collectors.toSet());
      assertTrue(regions.containsAll(Set.of("grindBeans", "pullShot", "serve")), "regions: " + regions);
      Map<Long, Set<String>> threadsPerOrder =
          events.stream()
              .filter(e -> e.getEventType().getName().startsWith("livetrace.") && e.hasField("taskId") && e.getLong("taskId") != 0)
              .collect(Collectors.groupingBy(e -> e.getLong("taskId"), Collectors.mapping(e -> e.getThread().getJavaName(), Collectors.toSet())));
      assertTrue(
          threadsPerOrder.values().stream().anyMatch(t -> t.size() >= 3),
          "an order should touch the request thread and two baristas: " + threadsPerOrder.values());
      assertTrue(
          events.stream().anyMatch(e -> e.getEventType().getName().equals("livetrace.Log") && e.getString("message").startsWith("served ")));
      assertTrue(events.stream().noneMatch(e -> e.getEventType().getName().equals("livetrace.Misuse")), "the demo misuses the API");
    }
  }

  @Test
  void unknownDrinksAreA400() throws Exception {
    try (CoffeeShop shop = CoffeeShop.start(0, false)) {
      HttpResponse<String> r =
          client.send(HttpRequest.newBuilder(shop.uri().resolve("/order?drink=tea")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode());
      assertTrue(r.body().contains("/menu"));
    }
  }
}
