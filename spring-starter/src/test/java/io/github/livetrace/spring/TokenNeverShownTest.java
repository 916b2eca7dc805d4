package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.junit.jupiter.api.Test;

/**
 * The token, however it was supplied, never shows in anything actuator's {@code env} and {@code
 * configprops} endpoints show with {@code show-values=always}: not on the command line that
 * {@code sun.java.command} repeats, not inside {@code SPRING_APPLICATION_JSON}, not in the
 * per-property view. A child JVM, so that the command line and the environment are real.
 */
class TokenNeverShownTest {
  @Test
  void aTokenOnTheCommandLineOrInSpringApplicationJsonIsHiddenEverywhere() {
    String commandLineToken = "cli-" + UUID.randomUUID();
    String jsonToken = "json-" + UUID.randomUUID();
    for (String[] run :
        List.of(
            new String[] {commandLineToken, "{}"},
            new String[] {jsonToken, "{\"livetrace\":{\"token\":\"" + jsonToken + "\"}}"})) {
      String token = run[0];
      boolean onCommandLine = token.equals(commandLineToken);
      ChildJvm.Result result =
          ChildJvm.run(
              List.of(),
              Map.of("SPRING_APPLICATION_JSON", run[1]),
              ActuatorProbe.class,
              onCommandLine ? "--livetrace.token=" + token : "--livetrace.base-path=/debug/pprof");
      assertEquals(0, result.exitCode(), result.output());
      assertTrue(result.output().contains("probed 8 views"), result.output());
      assertTrue(result.output().contains("values are shown"), result.output());
      assertFalse(result.output().contains(token), "the token shows:\n" + result.output());
      assertTrue(result.output().contains("trace endpoint wants the token"), result.output());
    }
  }

  /** Starts the test application with show-values=always, prints what actuator shows, exits. */
  public static final class ActuatorProbe {
    public static void main(String[] args) throws Exception {
      String[] all = new String[args.length + 5];
      System.arraycopy(args, 0, all, 0, args.length);
      all[args.length] = "--server.port=0";
      all[args.length + 1] = "--management.endpoints.web.exposure.include=env,configprops";
      all[args.length + 2] = "--management.endpoint.env.show-values=always";
      all[args.length + 3] = "--management.endpoint.configprops.show-values=always";
      all[args.length + 4] = "--livetrace.warm-up=false";
      try (ConfigurableApplicationContext app = SpringApplication.run(TestApp.class, all)) {
        String base = "http://127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port");
        HttpClient client = HttpClient.newHttpClient();
        int views = 0;
        StringBuilder shown = new StringBuilder();
        for (String path :
            List.of(
                "/actuator/env",
                "/actuator/env/sun.java.command",
                "/actuator/env/SPRING_APPLICATION_JSON",
                "/actuator/env/livetrace.token",
                "/actuator/env/spring.application.json",
                "/actuator/configprops",
                "/actuator/configprops/livetrace",
                "/debug/pprof/")) {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
          views++;
          shown.append("== ").append(path).append(' ').append(r.statusCode()).append('\n').append(r.body()).append('\n');
        }
        System.out.println(shown);
        if (shown.toString().contains("/debug/pprof")) {
          System.out.println("values are shown");
        }
        HttpResponse<String> trace =
            client.send(HttpRequest.newBuilder(URI.create(base + "/debug/pprof/trace?seconds=0.1")).build(), HttpResponse.BodyHandlers.ofString());
        if (trace.statusCode() == 401) {
          System.out.println("trace endpoint wants the token");
        }
        System.out.println("probed " + views + " views");
      }
    }
  }
}
