package io.github.livetrace.spring;

import org.junit.jupiter.api.Tag;

/** {@link FlightRecorderRequestsTestBase} on Jetty, in the surefire execution without Tomcat. */
@Tag("jetty")
class JettyFlightRecorderTest extends FlightRecorderRequestsTestBase {
  @Override
  String expectedServer() {
    return "jetty";
  }
}
