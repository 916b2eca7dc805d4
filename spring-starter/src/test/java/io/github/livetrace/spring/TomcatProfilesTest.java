package io.github.livetrace.spring;

/** {@link ProfilesTestBase} on Tomcat, which Spring Boot picks when it is on the classpath. */
class TomcatProfilesTest extends ProfilesTestBase {
  @Override
  String expectedServer() {
    return "tomcat";
  }

  @Override
  String requestThread() {
    return "\"http-nio-[^\"]+-exec-\\d+\"";
  }
}
