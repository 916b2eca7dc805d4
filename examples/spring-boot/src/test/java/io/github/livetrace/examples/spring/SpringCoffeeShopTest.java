package io.github.livetrace.examples.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.testing.TraceContents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/**
 * Smoke test of the demo: an order placed during a trace is a request task in it, with the
 * barista call as a child task and the milk steamed by {@code @Async} in the same task.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "coffee.regulars.enabled=false")
class SpringCoffeeShopTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();

  @Autowired Environment environment;
  @Autowired MeterRegistry meters;

  @Test
  void anOrderIsATaskInTheTrace() throws Exception {
    String app = "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
    assertEquals(200, send(app + "/orders?drink=espresso", "POST").statusCode()); // warm-up
    // An order is two requests, the order and the barista call it makes (regulars are off).
    assertTrue(eventually(30, () -> requestTasksEnded() >= 2), "the warm-up's tasks did not end");
    long requestsEnded = requestTasksEnded();

    // A long trace, stopped once the order is done: however slow the machine, it is inside.
    CompletableFuture<HttpResponse<byte[]>> download =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create(app + "/debug/pprof/trace?seconds=30")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
    HttpResponse<String> order = send(app + "/orders?drink=latte", "POST");
    assertEquals(200, order.statusCode(), order.body());
    assertTrue(order.body().contains("latte"), order.body());
    // The client may have the response before the server ends the request's task: wait for both
    // ends, then stop.
    assertTrue(eventually(30, () -> requestTasksEnded() >= requestsEnded + 2), "the order's tasks did not end");
    Trace.stop();
    HttpResponse<byte[]> trace = download.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, trace.statusCode());

    TraceContents contents = new TraceContents(trace.body());
    long orderTask = only(contents.observationTasksWith("http.server.requests", "http.url=/orders"));
    assertEquals("http.server.requests", contents.typeOf(orderTask));
    assertTrue(
        contents.tasksOfType("http.client.requests").stream().anyMatch(t -> contents.parentOf(t) == orderTask),
        "the call to the barista is not a child task of the order");
    assertTrue(contents.hasRegion(orderTask, "steamMilk"), "the @Async milk steaming is not in the order's task");
    long brewRequest = only(contents.observationTasksWith("http.server.requests", "http.url=/barista/brew"));
    assertTrue(
        contents.tasksOfType("coffee.brew").stream().anyMatch(t -> contents.parentOf(t) == brewRequest),
        "the application's own observation is not a task");
  }

  private long requestTasksEnded() {
    Timer timer = meters.find("livetrace.task").tag("type", "http.server.requests").timer();
    return timer == null ? 0 : timer.count();
  }

  private static HttpResponse<String> send(String url, String method) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long only(Set<Long> tasks) {
    assertEquals(1, tasks.size(), "tasks: " + tasks);
    return tasks.iterator().next();
  }
}
