package io.github.livetrace.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class GzipBodyTest {
  @Test
  void emptyBlocksBeforeTheContentDecompressToNothing() throws Exception {
    byte[] content = new byte[300_000];
    new Random(7).nextBytes(content);
    for (int i = 0; i < content.length; i += 3) {
      content[i] = 'a'; // compressible, but not entirely
    }
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    GzipBody body = new GzipBody(wire);
    body.keepAlive();
    int afterFirst = wire.size();
    body.keepAlive();
    body.keepAlive();
    assertEquals(10 + 5, afterFirst, "the gzip header, then five bytes per keep-alive");
    assertEquals(10 + 15, wire.size());
    body.write(content, 0, 1000);
    body.write(content, 1000, content.length - 1000);
    body.finish();
    assertArrayEquals(content, new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray())).readAllBytes());
    assertThrows(IllegalStateException.class, body::keepAlive, "no keep-alive once the content started");
  }

  @Test
  void withoutKeepAlivesItIsPlainGzipAndEmptyContentIsValid() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    GzipBody body = new GzipBody(wire);
    body.finish();
    assertEquals(0, new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray())).readAllBytes().length);
  }
}
