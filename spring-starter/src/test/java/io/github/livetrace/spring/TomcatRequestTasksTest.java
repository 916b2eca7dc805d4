package io.github.livetrace.spring;

/** {@link RequestTasksTestBase} on Tomcat, which Spring Boot picks when it is on the classpath. */
class TomcatRequestTasksTest extends RequestTasksTestBase {
  @Override
  String expectedServer() {
    return "tomcat";
  }
}
