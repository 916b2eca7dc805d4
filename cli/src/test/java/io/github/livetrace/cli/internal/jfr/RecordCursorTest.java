package io.github.livetrace.cli.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCursorTest {
  private static RecordCursor over(byte[] bytes, int limit) {
    RecordCursor in = new RecordCursor();
    in.reset(bytes, 0, limit);
    return in;
  }

  private static RecordCursor over(Encoder encoder) {
    byte[] bytes = encoder.bytes();
    return over(bytes, bytes.length);
  }

  @Test
  void varintsOfEveryLengthFromOneToNineBytes() throws Exception {
    List<Long> values = List.of(0L, 1L, 127L, 128L, 16_383L, 16_384L, (1L << 28) - 1, 1L << 28, 1L << 35,
        1L << 42, 1L << 49, (1L << 56) - 1, 1L << 56, Long.MAX_VALUE, -1L, Long.MIN_VALUE, 1_795_701_462_224_512_671L);
    Encoder encoder = new Encoder();
    values.forEach(encoder::varint);
    byte[] tight = encoder.bytes();
    // At the very end of the array, and with room after it: the two paths of readLong.
    for (byte[] bytes : List.of(tight, encoder.bytes(16))) {
      RecordCursor in = over(bytes, tight.length);
      for (long value : values) {
        assertEquals(value, in.readLong());
      }
      assertEquals(0, in.remaining());
    }
    assertEquals(9, new Encoder().varint(-1).bytes().length, "the ninth byte carries eight bits");
  }

  @Test
  void narrowerIntegersAreTheVarintCutToTheirWidth() throws Exception {
    RecordCursor in = over(new Encoder().varint(0x1_0000_0005L).varint(-2));
    assertEquals(5, in.readInt());
    assertEquals(-2, in.readInt());
  }

  @Test
  void aVarintCutByTheEndOfItsRecordIsDamage() {
    byte[] bytes = new Encoder().varint(1L << 40).bytes(32);
    JfrFormatException e = assertThrows(JfrFormatException.class, () -> over(bytes, 3).readLong());
    assertTrue(e.getMessage().contains("past the end of its record"), e.getMessage());
  }

  @Test
  void stringsInEveryEncoding() throws Exception {
    String latin1 = "\u00ff latin-1 \u00e9";
    String wide = "caf\u00e9 \u2615 \u5317\u4eac \ud83d\ude00";
    String longAscii = "y".repeat(300);
    StringPool pool = new StringPool();
    byte[] poolBytes = new Encoder().chars("from the pool").bytes();
    pool.add(7, poolBytes, 0);
    Encoder encoder = new Encoder().nullString().emptyString().poolString(7).poolString(8)
        .utf8(wide).utf8(longAscii).latin1(latin1).latin1("short").chars(wide).chars("brew").chars(longAscii)
        .chars("").chars(wide.repeat(5));
    for (byte[] bytes : List.of(encoder.bytes(), encoder.bytes(64))) {
      RecordCursor in = over(bytes, encoder.bytes().length);
      StringCache cache = new StringCache();
      assertNull(in.readString(cache, pool));
      assertEquals("", in.readString(cache, pool));
      assertEquals("from the pool", in.readString(cache, pool));
      assertNull(in.readString(cache, pool), "a key the pool lacks");
      assertEquals(wide, in.readString(cache, pool));
      assertEquals(longAscii, in.readString(cache, pool));
      assertEquals(latin1, in.readString(cache, pool));
      assertEquals("short", in.readString(cache, pool));
      assertEquals(wide, in.readString(cache, pool));
      assertEquals("brew", in.readString(cache, pool));
      assertEquals(longAscii, in.readString(cache, pool));
      assertEquals("", in.readString(cache, pool));
      assertEquals(wide.repeat(5), in.readString(cache, pool));
      assertEquals(0, in.remaining());
    }
  }

  @Test
  void skippingAStringEndsWhereReadingItDoes() throws Exception {
    Encoder encoder = new Encoder().nullString().emptyString().poolString(300).utf8("\u5317\u4eac")
        .latin1("\u00e9t\u00e9").chars("\u2615 and more than sixteen chars").chars("x");
    byte[] bytes = encoder.bytes(20);
    RecordCursor reading = over(bytes, encoder.bytes().length);
    RecordCursor skipping = over(bytes, encoder.bytes().length);
    StringCache cache = new StringCache();
    for (int i = 0; i < 7; i++) {
      reading.readString(cache, new StringPool());
      skipping.skipString();
      assertEquals(reading.position(), skipping.position(), "after string " + i);
    }
  }

  @Test
  void theSameShortTextIsTheSameString() throws Exception {
    Encoder encoder = new Encoder().chars("handler").chars("handler").latin1("handler").utf8("a".repeat(40))
        .utf8("a".repeat(40));
    RecordCursor in = over(encoder.bytes(32), encoder.bytes().length);
    StringCache cache = new StringCache();
    String first = in.readString(cache, null);
    assertSame(first, in.readString(cache, null));
    assertEquals(first, in.readString(cache, null), "another encoding: equal, cached apart");
    String long1 = in.readString(cache, null);
    assertSame(long1, in.readString(cache, null));
  }

  @Test
  void damagedStringsAreDamage() {
    byte[] unknownEncoding = new Encoder().raw(9).bytes();
    assertTrue(assertThrows(JfrFormatException.class, () -> over(unknownEncoding, 1).readString(new StringCache(), null))
        .getMessage().contains("unknown string encoding 9"));
    byte[] tooLong = new Encoder().raw(RecordCursor.UTF8).varint(1000).raw('a', 'b').bytes(64);
    assertTrue(assertThrows(JfrFormatException.class, () -> over(tooLong, 5).readString(new StringCache(), null))
        .getMessage().contains("a count of 1000"));
    byte[] cutChars = new Encoder().raw(RecordCursor.CHAR_ARRAY).varint(2).raw(0x80, 0x80).bytes();
    assertThrows(JfrFormatException.class, () -> over(cutChars, cutChars.length).skipString());
  }
}
