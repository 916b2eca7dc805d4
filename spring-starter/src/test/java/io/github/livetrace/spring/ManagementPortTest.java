package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.testing.TraceFiles;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/**
 * With {@code management.server.port} set to a port of its own, the endpoints are on the
 * management server only, and the application's port does not know them.
 */
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "management.server.port=0")
class ManagementPortTest {
  @Autowired Environment environment;

  @Test
  void endpointsAreOnTheManagementServerOnly() throws Exception {
    String app = Http.app(environment);
    String management = Http.management(environment);
    assertNotEquals(app, management);

    HttpResponse<String> index = Http.get(management + "/debug/pprof/");
    assertEquals(200, index.statusCode());
    assertTrue(index.body().contains("trace"), index.body());

    long started = TraceStats.startedCount();
    assertEquals(404, Http.get(app + "/debug/pprof/").statusCode());
    assertEquals(404, Http.get(app + "/debug/pprof/trace?seconds=1").statusCode());
    assertEquals(started, TraceStats.startedCount(), "the application's port started a trace");
    assertEquals("hello 1", Http.get(app + "/greet/1").body());

    HttpResponse<byte[]> trace = Http.getBytes(management + "/debug/pprof/trace?seconds=1");
    assertEquals(200, trace.statusCode());
    assertFalse(TraceFiles.chunks(trace.body()).isEmpty());
    assertFalse(TraceFiles.events(trace.body()).isEmpty());
  }
}
