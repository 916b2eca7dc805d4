package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.GoPprof.Raw;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.web.context.WebApplicationContext;

/**
 * The profiles come with the servlet the starter registers, with the same base path and cap:
 * fetched by {@code go tool pprof} from a real server, as a Go developer would. Subclasses run
 * it on Tomcat and on Jetty.
 */
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"livetrace.base-path=/ops/pprof", "livetrace.max-seconds=5"})
abstract class ProfilesTestBase {
  @Autowired Environment environment;
  @Autowired WebApplicationContext context;

  /** Part of the servlet container's server info, such as {@code tomcat}. */
  abstract String expectedServer();

  /** The name its request threads have, as a regular expression with the quotes. */
  abstract String requestThread();

  @Test
  void goToolPprofReadsTheCpuProfileAndTheThreadDumpNamesTheServersThreads() throws Exception {
    String info = context.getServletContext().getServerInfo().toLowerCase(Locale.ROOT);
    assertTrue(info.contains(expectedServer()), "server is " + info + ", expected " + expectedServer());
    String base = Http.app(environment) + "/ops/pprof";

    HttpResponse<String> index = Http.get(base + "/");
    for (String name : List.of("allocs", "block", "cmdline", "goroutine", "heap", "mutex", "profile", "wall", "trace")) {
      assertTrue(index.body().contains(">" + name + "</a>"), name);
    }
    assertTrue(index.body().contains("default 5, at most 5"), "max-seconds caps the profiles too");

    Raw cpu = GoPprof.raw(base + "/profile?seconds=1");
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), cpu.sampleTypes());
    assertTrue(cpu.comments().get(0).startsWith("async-profiler 4.2, event="), "the starter's default engine: " + cpu.comments());
    Raw wall = GoPprof.raw(base + "/wall?seconds=1");
    assertEquals(List.of("samples/count", "wall/nanoseconds"), wall.sampleTypes());
    Raw allocs = GoPprof.raw(base + "/allocs?seconds=1");
    assertEquals(List.of("samples/count", "alloc_space/bytes"), allocs.sampleTypes());

    HttpResponse<String> tooLong = Http.get(base + "/profile?seconds=6");
    assertEquals(400, tooLong.statusCode());
    assertTrue(tooLong.body().contains("maximum of 5"), tooLong.body());

    // The dump holds the server's thread that answers it, by the server's name for it.
    String threads = Http.get(base + "/goroutine?debug=2").body();
    assertTrue(threads.startsWith("thread dump: "), threads);
    String answering =
        java.util.Arrays.stream(threads.split("\n\n"))
            .filter(block -> block.contains("\tat io.github.livetrace.servlet.internal.GoroutineEndpoint.serve("))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no thread answering the dump:\n" + threads));
    assertTrue(answering.matches("(?s)" + requestThread() + " #\\d+ RUNNABLE\n.*"), answering);
    assertEquals(404, Http.get(base + "/cmdline").statusCode());
  }
}
