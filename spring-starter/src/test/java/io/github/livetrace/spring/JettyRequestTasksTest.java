package io.github.livetrace.spring;

import org.junit.jupiter.api.Tag;

/**
 * {@link RequestTasksTestBase} on Jetty. Tagged {@code jetty}: it runs in the surefire execution
 * of that name, whose classpath lacks Tomcat, so that Spring Boot starts Jetty. (In an IDE that
 * puts both servers on the classpath, Boot picks Tomcat and this test says so.)
 */
@Tag("jetty")
class JettyRequestTasksTest extends RequestTasksTestBase {
  @Override
  String expectedServer() {
    return "jetty";
  }
}
