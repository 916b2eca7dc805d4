package io.github.livetrace.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import io.github.livetrace.internal.pprof.StackProfile.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlameGraphsTest {
  private static StackProfile allocations() {
    StackProfile p =
        new StackProfile("Allocations", List.of(new ValueType("samples", "count"), new ValueType("alloc_space", "bytes")), null, 0);
    p.setLeafLabels(List.of("objectClass"));
    Frame run = new Frame("java.lang.Thread.run", "", 0, FrameKind.JAVA);
    p.add(List.of(new Frame("com.example.A.make", "", 3, FrameKind.JAVA), run), Map.of("objectClass", "long[]"), 1, 4096);
    p.add(List.of(new Frame("com.example.B.make", "", 7, FrameKind.JAVA), run), Map.of("objectClass", "java.lang.String"), 5, 100);
    return p;
  }

  private static String write(StackProfile p, boolean collapsed) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FlameGraphs.write(p, collapsed, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void collapsedStacksAreRootFirstWithTheClassAsLeafAndTheDefaultValue() throws Exception {
    assertEquals(
        List.of("java.lang.Thread.run;com.example.A.make;long[] 4096", "java.lang.Thread.run;com.example.B.make;java.lang.String 100"),
        write(allocations(), true).lines().sorted().collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void theHtmlPageIsSelfContainedAndTitled() throws Exception {
    String html = write(allocations(), false);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<h1>Allocations, 0ns (widths: alloc_space, bytes)</h1>"), html);
    assertTrue(html.contains("com.example.A.make"), html);
    assertTrue(!html.contains("<script src") && !html.contains("<link"), "nothing loaded from elsewhere");
  }

  @Test
  void namesThatWouldBreakThePageScriptAreMadeSafe() {
    assertEquals("a?b", FlameGraphs.safe("a\nb"));
    assertEquals("x<?script>", FlameGraphs.safe("x</script>"));
    assertEquals("a?b", FlameGraphs.safe("a\u2028b"));
    assertEquals("java.lang.Object.<init>", FlameGraphs.safe("java.lang.Object.<init>"));
  }
}
