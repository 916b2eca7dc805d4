package io.github.livetrace.examples.spring;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.testing.TraceFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
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

  @Test
  void anOrderIsATaskInTheTrace() throws Exception {
    String app = "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
    assertEquals(200, send(app + "/orders?drink=espresso", "POST").statusCode()); // warm-up

    CompletableFuture<HttpResponse<byte[]>> download =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create(app + "/debug/pprof/trace?seconds=2")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(eventually(30, Trace::isEnabled), "the trace did not start");
    HttpResponse<String> order = send(app + "/orders?drink=latte", "POST");
    assertEquals(200, order.statusCode(), order.body());
    assertTrue(order.body().contains("latte"), order.body());
    HttpResponse<byte[]> trace = download.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, trace.statusCode());

    List<RecordedEvent> events = TraceFiles.events(trace.body());
    long orderTask = onlyTaskLogging(events, "http.server.requests", "http.url=/orders");
    assertEquals("http.server.requests", typeOf(events, orderTask));
    assertTrue(
        events.stream()
            .anyMatch(e -> is(e, "livetrace.TaskBegin")
                && e.getLong("parentId") == orderTask
                && e.getString("taskType").equals("http.client.requests")),
        "the call to the barista is not a child task of the order");
    assertTrue(
        events.stream()
            .anyMatch(e -> is(e, "livetrace.Region")
                && e.getLong("taskId") == orderTask
                && e.getString("regionType").equals("steamMilk")),
        "the @Async milk steaming is not in the order's task");
    long brewRequest = onlyTaskLogging(events, "http.server.requests", "http.url=/barista/brew");
    assertTrue(
        events.stream()
            .anyMatch(e -> is(e, "livetrace.TaskBegin")
                && e.getLong("parentId") == brewRequest
                && e.getString("taskType").equals("coffee.brew")),
        "the application's own observation is not a task");
  }

  private static HttpResponse<String> send(String url, String method) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean is(RecordedEvent e, String type) {
    return e.getEventType().getName().equals(type);
  }

  /** The one task whose stop summary, logged under the observation's name, holds {@code keyValue}. */
  private static long onlyTaskLogging(List<RecordedEvent> events, String observation, String keyValue) {
    Set<Long> tasks =
        events.stream()
            .filter(e -> is(e, "livetrace.Log") && e.getString("category").equals(observation))
            .filter(e -> Arrays.asList(e.getString("message").split(" ")).contains(keyValue))
            .map(e -> e.getLong("taskId"))
            .collect(Collectors.toSet());
    assertEquals(1, tasks.size(), "tasks with " + keyValue + ": " + tasks);
    return tasks.iterator().next();
  }

  private static String typeOf(List<RecordedEvent> events, long task) {
    return events.stream()
        .filter(e -> is(e, "livetrace.TaskBegin") && e.getLong("taskId") == task)
        .map(e -> e.getString("taskType"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no TaskBegin for task " + task));
  }
}
