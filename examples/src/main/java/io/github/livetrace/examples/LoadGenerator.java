package io.github.livetrace.examples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Customers that keep ordering, so that a trace of the demo always has something in it. */
final class LoadGenerator implements AutoCloseable {
  private static final String[] CUSTOMERS = {"Ann", "Bo", "Chen", "Dara", "Eli", "Femi"};

  private final List<Thread> customers = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param base the shop's base URI, such as {@code http://127.0.0.1:8080}
   * @param concurrency how many customers order at the same time
   */
  LoadGenerator(URI base, int concurrency) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<String> drinks = new ArrayList<>(Barista.MENU.keySet());
    for (int i = 0; i < concurrency; i++) {
      Thread t =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running) {
                  String drink = drinks.get(random.nextInt(drinks.size()));
                  String customer = CUSTOMERS[random.nextInt(CUSTOMERS.length)];
                  HttpRequest request =
                      HttpRequest.newBuilder(base.resolve("/order?drink=" + drink + "&name=" + customer))
                          .timeout(Duration.ofSeconds(10))
                          .build();
                  try {
                    client.send(request, HttpResponse.BodyHandlers.discarding());
                    Thread.sleep(random.nextInt(20, 60)); // think time between orders
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    if (running) {
                      System.err.println("load: " + e);
                    }
                  }
                }
              },
              "customer-" + i);
      t.setDaemon(true);
      customers.add(t);
    }
  }

  void start() {
    customers.forEach(Thread::start);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : customers) {
      t.interrupt();
      t.join(10_000);
    }
  }
}
