package io.github.livetrace.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each flush makes all that was written decodable; a body abandoned mid-way never ends its frame. */
class ZstdBodyTest {
  private static byte[] part(int seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b); // incompressible by itself: only a match across flushes shrinks a repeat
    return b;
  }

  /** Decodes what came so far, which may end mid-frame: libzstd's streaming decoder, as curl's. */
  private static byte[] decodeSoFar(byte[] wire, boolean complete) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try (InputStream in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(wire))) {
      if (complete) {
        in.transferTo(out);
      } else {
        IOException cut = assertThrows(IOException.class, () -> {
          for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
          }
        }, "an unfinished frame decoded as if complete");
        assertEquals("Truncated source", cut.getMessage());
      }
    }
    return out.toByteArray();
  }

  @Test
  void eachFlushMakesEverythingWrittenDecodableAndFinishEndsTheFrame() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ZstdBody body = new ZstdBody(wire);
    assertEquals(0, wire.size(), "nothing before the content: a refusal can still reset the answer");
    byte[] first = part(1, 300_000);
    byte[] second = part(1, 300_000); // the same again: the window spans flushes
    body.write(first);
    body.flush();
    int afterFirst = wire.size();
    assertArrayEquals(first, decodeSoFar(wire.toByteArray(), false));
    body.write(second);
    body.flush();
    assertArrayEquals(concat(first, second), decodeSoFar(wire.toByteArray(), false));
    assertTrue(wire.size() - afterFirst < afterFirst / 20, "the repeat costs " + (wire.size() - afterFirst) + " bytes after " + afterFirst);
    body.finish();
    assertArrayEquals(concat(first, second), decodeSoFar(wire.toByteArray(), true));
    body.flush(); // after finish, as a container may: harmless
    body.close(); // after finish: nothing more
    assertArrayEquals(concat(first, second), decodeSoFar(wire.toByteArray(), true));
  }

  @Test
  void anAbandonedBodyWritesNothingMoreAndNeverLooksComplete() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ZstdBody body = new ZstdBody(wire);
    byte[] first = part(2, 100_000);
    body.write(first);
    body.flush();
    body.write(part(3, 50_000)); // in the compressor, never flushed
    byte[] before = wire.toByteArray();
    body.close();
    assertArrayEquals(before, wire.toByteArray(), "close wrote the frame's end or the unflushed rest");
    assertArrayEquals(first, decodeSoFar(wire.toByteArray(), false));
    assertThrows(IOException.class, () -> body.write(1), "writes after close must fail, not reach freed memory");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
