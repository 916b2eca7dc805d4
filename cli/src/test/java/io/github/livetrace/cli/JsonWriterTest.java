package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.JsonWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  @Test
  void escapesWhatJsonRequiresAndWritesMicrosExactly() throws Exception {
    String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 lone\ud800 pair\ud83d\ude00 é";
    StringWriter text = new StringWriter();
    JsonWriter json = new JsonWriter(text, 2);
    json.beginObject()
        .field("s", nasty)
        .name("ts").micros(1_234_567_891L)
        .name("neg").micros(-5)
        .name("list").beginArray().value(1).value(true).value((String) null).beginObject().endObject().endArray()
        .endObject();
    json.flush();
    Map<String, Object> parsed = Json.object(Json.parse(text.toString()));
    assertEquals(nasty, parsed.get("s"));
    // A lone surrogate is escaped: raw, it would make the file invalid UTF-8.
    assertTrue(text.toString().contains("\\ud800"), text.toString());
    assertEquals(1_234_567_891L, Json.micros(parsed.get("ts")));
    assertEquals("1234567.891", parsed.get("ts").toString());
    assertEquals(-5, Json.micros(parsed.get("neg")));
    List<Object> list = Json.array(parsed.get("list"));
    assertEquals(4, list.size());
    assertEquals(Boolean.TRUE, list.get(1));
  }
}
