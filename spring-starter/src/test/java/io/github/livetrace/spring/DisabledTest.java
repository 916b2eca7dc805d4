package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.servlet.PprofServlet;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * {@code livetrace.enabled=false} registers nothing at all: no bean of livetrace's, no meter, no
 * endpoint on either port (a management port is set, so the management server is checked too).
 */
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"livetrace.enabled=false", "management.server.port=0"})
class DisabledTest {
  @Autowired ConfigurableApplicationContext context;
  @Autowired MeterRegistry meters;
  @Autowired Environment environment;

  @Test
  void noBeanOfLivetrace() {
    List<String> ours = new ArrayList<>();
    for (String name : context.getBeanDefinitionNames()) {
      Class<?> type = context.getBeanFactory().getType(name, false);
      if (type != null
          && type.getName().startsWith("io.github.livetrace.")
          && !type.getName().startsWith(TestApp.class.getName())) {
        ours.add(name + ": " + type.getName());
      }
    }
    for (ServletRegistrationBean<?> registration : context.getBeansOfType(ServletRegistrationBean.class).values()) {
      if (registration.getServlet() instanceof PprofServlet) {
        ours.add(registration.getServletName());
      }
    }
    assertEquals(List.of(), ours);
  }

  @Test
  void noMeterOfLivetrace() {
    assertTrue(meters.getMeters().stream().noneMatch(m -> m.getId().getName().startsWith("livetrace")));
  }

  @Test
  void noEndpointOnEitherPort() throws Exception {
    assertEquals(404, Http.get(Http.app(environment) + "/debug/pprof/").statusCode());
    assertEquals(404, Http.get(Http.management(environment) + "/debug/pprof/").statusCode());
    assertEquals(404, Http.get(Http.management(environment) + "/debug/pprof/trace?seconds=1").statusCode());
    assertEquals("hello 1", Http.get(Http.app(environment) + "/greet/1").body());
  }
}
