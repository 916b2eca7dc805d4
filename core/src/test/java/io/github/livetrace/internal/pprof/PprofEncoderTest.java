package io.github.livetrace.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.FrameKind;
import io.github.livetrace.internal.pprof.StackProfile.ValueType;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.GoPprof.Raw;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The encoder's output as the real pprof reads it. */
class PprofEncoderTest {
  private static final Frame RUN = new Frame("java.lang.Thread.run", "", 840, FrameKind.JAVA);
  private static final Frame WORK = new Frame("com.example.Shop.work", "", 12, FrameKind.JAVA);
  private static final Frame WAIT = new Frame("sun.nio.ch.EPoll.wait", "", 0, FrameKind.NATIVE);

  private static StackProfile profile() {
    ValueType cpu = new ValueType("cpu", "nanoseconds");
    StackProfile p = new StackProfile("test", List.of(new ValueType("samples", "count"), cpu), cpu, 10_000_000);
    p.add(List.of(WORK, RUN), Map.of(), 1, 10_000_000);
    p.add(List.of(WORK, RUN), Map.of(), 1, 10_000_000); // the same stack: one sample of 2
    p.add(List.of(WAIT, RUN), Map.of("objectClass", "long[]", "event", "jdk.ThreadPark"), 3, 30_000_000);
    p.addComment("a comment");
    p.setTime(1_700_000_000_000_000_000L, 2_500_000_000L);
    return p;
  }

  private static byte[] encode(StackProfile p, boolean gzip) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (gzip) {
      try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
        PprofEncoder.write(p, out);
      }
    } else {
      PprofEncoder.write(p, bytes);
    }
    return bytes.toByteArray();
  }

  @Test
  void pprofReadsSampleTypesValuesStacksLabelsAndComments() throws Exception {
    for (boolean gzip : List.of(true, false)) {
      Raw raw = GoPprof.raw(encode(profile(), gzip));
      assertEquals(List.of("samples/count", "cpu/nanoseconds"), raw.sampleTypes());
      assertEquals("cpu nanoseconds", raw.periodType());
      assertEquals(10_000_000, raw.period());
      assertEquals(List.of("a comment"), raw.comments());
      assertEquals(2, raw.samples().size(), "identical stacks are one sample");
      assertEquals(List.of(2L, 20_000_000L), raw.samples().get(0).values());
      assertEquals(List.of("com.example.Shop.work", "java.lang.Thread.run"), raw.samples().get(0).stack());
      assertEquals(Map.of("objectClass", "long[]", "event", "jdk.ThreadPark"), raw.samples().get(1).labels());
      assertEquals(50_000_000, raw.total("cpu/nanoseconds"));
    }
  }

  @Test
  void topShowsTypeDurationAndLineNumbers() throws Exception {
    java.nio.file.Path file = io.github.livetrace.testing.TraceFiles.write(encode(profile(), true));
    try {
      String top = GoPprof.run(file.toString(), "-top");
      assertTrue(top.contains("Type: cpu"), top);
      assertTrue(top.contains("Duration: 2.50s"), top);
      assertTrue(top.contains("sun.nio.ch.EPoll.wait"), top);
      String lines = GoPprof.run(file.toString(), "-traces", "-lines");
      assertTrue(lines.contains("com.example.Shop.work :12"), lines);
    } finally {
      file.toFile().delete();
    }
  }

  @Test
  void anEmptyProfileIsValid() throws Exception {
    ValueType count = new ValueType("contentions", "count");
    Raw raw = GoPprof.raw(encode(new StackProfile("empty", List.of(count), null, 0), true));
    assertEquals(List.of("contentions/count"), raw.sampleTypes());
    assertTrue(raw.samples().isEmpty());
  }
}
