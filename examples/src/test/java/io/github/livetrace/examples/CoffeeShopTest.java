package io.github.livetrace.examples;

import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.internal.SnapshotStore;
import io.github.livetrace.testing.TraceContents;
import io.github.livetrace.testing.TraceFiles;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo, in-process: its trace has what the README promises. */
class CoffeeShopTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @TempDir Path store;

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
      assertTrue(jfr(trace.body(), "summary").contains("livetrace.TaskEnd"));

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
  void withTheFlightRecorderOrdersAreInTheWindowAndASlowOneKeepsASnapshot() throws Exception {
    // No snapshot while the window is fetched: the demo's 40 ms threshold is replaced by one no
    // order reaches, and later by one every order crosses (its steps in turn take over 5 ms).
    Duration slowOrder = Duration.ofMillis(4);
    FlightRecorderOptions options =
        CoffeeShop.keepingSlowOrders().withSnapshotOnSlowTask("order", Duration.ofMinutes(1)).withSnapshotDirectory(store).withSnapshotDelay(Duration.ofMillis(200));
    try (CoffeeShop shop = CoffeeShop.start(0, false, options)) {
      FlightRecorder recorder = FlightRecorder.current().orElseThrow();
      assertEquals(store, recorder.snapshotDirectory());
      List<String> before = snapshotNames(recorder);
      String order = get(shop, "/order?drink=latte&name=Ann");
      long task = Long.parseLong(order.replaceAll("(?s).*\\(task (\\d+)\\).*", "$1"));

      HttpResponse<byte[]> window =
          client.send(HttpRequest.newBuilder(shop.uri().resolve("/debug/pprof/flightrecorder")).timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, window.statusCode());
      TraceContents contents = new TraceContents(window.body());
      assertEquals("order", contents.typeOf(task), "the order placed before the GET is not in the window");
      assertTrue(contents.ended(task));
      assertTrue(contents.hasRegion(task, "serve"));

      recorder.snapshotOnSlowTask("order", slowOrder);
      get(shop, "/order?drink=cappuccino&name=Bo");
      assertTrue(TraceFiles.eventually(60, () -> !snapshotNames(recorder).equals(before)), "no order was slow enough");
      String listing = get(shop, "/debug/pprof/flightrecorder/snapshots");
      FlightRecorder.Snapshot newest = recorder.snapshots().get(0);
      assertTrue(listing.contains(newest.name()), listing);
      java.util.regex.Matcher name = SnapshotStore.NAME.matcher(newest.name());
      assertTrue(name.matches() && name.group(2).equals("order"), newest.name());
      assertTrue(Long.parseLong(name.group(4)) >= slowOrder.toMillis(), newest.name());
      TraceContents snapshot = new TraceContents(Files.readAllBytes(store.resolve(newest.name())));
      long slow = Long.parseLong(name.group(3));
      assertEquals("order", snapshot.typeOf(slow), "the slow order's begin is not in its snapshot");
      assertTrue(snapshot.ended(slow), "the slow order's end is not in its snapshot");
      assertTrue(snapshot.hasRegion(slow, "grindBeans") && snapshot.hasRegion(slow, "pullShot"), "its barista regions are not there");
    }
    assertFalse(FlightRecorder.current().orElseThrow().isEnabled(), "closing the shop did not stop the flight recorder");
  }

  private static List<String> snapshotNames(FlightRecorder recorder) {
    return recorder.snapshots().stream().map(FlightRecorder.Snapshot::name).collect(Collectors.toList());
  }

  private String get(CoffeeShop shop, String path) throws Exception {
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(shop.uri().resolve(path)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
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
