package io.github.livetrace.examples.spring;

import io.github.livetrace.Task;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The Spring Boot coffee shop: a Spring MVC application with the livetrace starter and nothing
 * else of livetrace's configured. Every request, every {@code RestClient} call and every scheduled
 * run is a task in the trace, because the starter bridges Micrometer observations to livetrace.
 *
 * <pre>
 * java -jar examples/spring-boot/target/livetrace-spring-example.jar [--server.port=N]
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * jfr print --events livetrace.TaskEnd trace.jfr
 * </pre>
 *
 * <p>Regular customers order every few hundred milliseconds ({@code coffee.regulars.enabled},
 * {@code coffee.regulars.every-millis}), so a trace has something in it without a second
 * terminal.
 */
@SpringBootApplication
@EnableAsync
@EnableScheduling
public class SpringCoffeeShop {
  public static void main(String[] args) {
    SpringApplication.run(SpringCoffeeShop.class, args);
  }

  /**
   * {@code @Async} work runs in the livetrace task of the code that handed it over, so the milk
   * steamed for an order shows up in that order's request task. Boot applies a {@code
   * TaskDecorator} bean to the executor behind {@code @Async}.
   */
  @Bean
  TaskDecorator livetraceTaskDecorator() {
    return runnable -> Task.current().wrap(runnable);
  }
}
