package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.livetrace.micrometer.LivetraceMetrics;
import io.github.livetrace.micrometer.LivetraceObservationHandler;
import io.github.livetrace.servlet.PprofServlet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * An application's own {@code ServletRegistrationBean<PprofServlet>}, here one with an access
 * check at another path, replaces the starter's; the rest of the starter stays.
 */
@SpringBootTest(
    classes = {TestApp.class, OverrideTest.OwnRegistration.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OverrideTest {
  @Autowired Environment environment;
  @Autowired ApplicationContext context;

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistration {
    @Bean
    ServletRegistrationBean<PprofServlet> ownPprof() {
      PprofServlet servlet = PprofServlet.builder().accessCheck(req -> "ops".equals(req.getHeader("X-Team"))).build();
      return new ServletRegistrationBean<>(servlet, "/internal/pprof/*");
    }
  }

  @Test
  void theApplicationsRegistrationWins() throws Exception {
    String app = Http.app(environment);
    assertEquals(404, Http.get(app + "/debug/pprof/").statusCode());
    assertEquals(403, Http.get(app + "/internal/pprof/").statusCode());
    assertEquals(200, Http.get(app + "/internal/pprof/", "X-Team", "ops").statusCode());
    assertEquals(1, context.getBeanNamesForType(LivetraceMetrics.class).length);
    assertEquals(1, context.getBeanNamesForType(LivetraceObservationHandler.class).length);
  }
}
