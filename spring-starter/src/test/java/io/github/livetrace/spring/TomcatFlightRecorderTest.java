package io.github.livetrace.spring;

/** {@link FlightRecorderRequestsTestBase} on Tomcat. */
class TomcatFlightRecorderTest extends FlightRecorderRequestsTestBase {
  @Override
  String expectedServer() {
    return "tomcat";
  }
}
