package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.testing.TraceFiles;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/**
 * With Spring Security on the classpath and no configuration of the application's own, Boot's
 * default security protects the endpoints like every other path. Tagged {@code security}: it runs
 * in the surefire execution of that name, the only one with Spring Security on the classpath.
 */
@Tag("security")
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.security.user.name=ops", "spring.security.user.password=" + SecurityDefaultTest.PASSWORD})
class SecurityDefaultTest {
  static final String PASSWORD = "pw-3c9d1e";

  @Autowired Environment environment;

  @Test
  void withoutCredentialsTheAnswerIs401() throws Exception {
    String app = Http.app(environment);
    long started = TraceStats.startedCount();
    assertEquals(401, Http.get(app + "/debug/pprof/trace?seconds=1").statusCode());
    assertEquals(401, Http.get(app + "/debug/pprof/").statusCode());
    assertEquals(401, Http.get(app + "/greet/1").statusCode());
    assertEquals(started, TraceStats.startedCount(), "a trace started without credentials");
  }

  @Test
  void withCredentialsATraceStreams() throws Exception {
    HttpResponse<byte[]> trace =
        Http.getBytes(Http.app(environment) + "/debug/pprof/trace?seconds=1", Http.basic("ops", PASSWORD));
    assertEquals(200, trace.statusCode());
    assertFalse(TraceFiles.chunks(trace.body()).isEmpty());
    assertFalse(TraceFiles.events(trace.body()).isEmpty());
  }
}
