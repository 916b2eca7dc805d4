package io.github.livetrace.spring;

import org.junit.jupiter.api.Tag;

/** {@link ProfilesTestBase} on Jetty: in the {@code jetty} surefire execution, whose classpath lacks Tomcat. */
@Tag("jetty")
class JettyProfilesTest extends ProfilesTestBase {
  @Override
  String expectedServer() {
    return "jetty";
  }

  @Override
  String requestThread() {
    return "\"qtp\\d+-\\d+\"";
  }
}
