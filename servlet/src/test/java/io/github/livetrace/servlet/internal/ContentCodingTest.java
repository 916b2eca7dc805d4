package io.github.livetrace.servlet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code Accept-Encoding} as clients send it, and the coding each answer gets. */
class ContentCodingTest {
  @Test
  void jfrDownloadsPreferZstdOnATieAndFollowTheClientsQValuesOtherwise() {
    assertTrue(ZstdBody.available(), "zstd-jni's library must load on the machines the tests run on");
    assertEquals(ContentCoding.ZSTD, ContentCoding.forJfr("deflate, gzip, br, zstd")); // curl --compressed
    assertEquals(ContentCoding.ZSTD, ContentCoding.forJfr("gzip, deflate, br, zstd")); // browsers
    assertEquals(ContentCoding.ZSTD, ContentCoding.forJfr("zstd"));
    assertEquals(ContentCoding.ZSTD, ContentCoding.forJfr("ZSTD;Q=0.9, gzip;q=0.9"));
    assertEquals(ContentCoding.ZSTD, ContentCoding.forJfr("*"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forJfr("gzip"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forJfr("x-gzip"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forJfr("gzip;q=1, zstd;q=0.5"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forJfr("zstd;q=0, *"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forJfr("zstd;q=nope, gzip"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr(null));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr(""));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr("identity"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr("br, deflate"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr("*;q=0"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forJfr("gzip;q=0, zstd;q=0.000"));
  }

  @Test
  void textAnswersAreGzipOrNothing() {
    assertEquals(ContentCoding.GZIP, ContentCoding.forText("deflate, gzip, br, zstd"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forText("zstd"));
    assertEquals(ContentCoding.IDENTITY, ContentCoding.forText("gzip;q=0, *"));
    assertEquals(ContentCoding.GZIP, ContentCoding.forText("*"));
  }
}
