package io.github.livetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.cli.internal.JsonOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;

class JsonOutputTest {
  @Test
  void escapesWhatJsonRequiresAndWritesMicrosExactly() {
    String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 lone\ud800 pair\ud83d\ude00 é";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JsonOutput.eventPerLine(bytes)) {
      json.writeStartObject();
      json.writeStringProperty("s", nasty);
      json.writeName("ts");
      JsonOutput.micros(json, 1_234_567_891L);
      json.writeName("neg");
      JsonOutput.micros(json, -5);
      json.writeName("list");
      json.writeStartArray();
      json.writeNumber(1);
      json.writeBoolean(true);
      json.writeNull();
      json.writeStartObject();
      json.writeNumberProperty("a", 1);
      json.writeName("b");
      json.writeStartArray();
      json.writeNumber(2);
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndArray();
      json.writeEndObject();
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    Map<String, Object> parsed = Json.object(Json.parse(text));
    assertEquals(nasty, parsed.get("s"));
    // A lone surrogate is escaped: raw, it would make the file invalid UTF-8.
    assertTrue(text.contains("\\uD800") || text.contains("\\ud800"), text);
    assertEquals(1_234_567_891L, Json.micros(parsed.get("ts")));
    assertEquals("1234567.891", parsed.get("ts").toString());
    assertEquals(-5, Json.micros(parsed.get("neg")));
    List<Object> list = Json.array(parsed.get("list"));
    assertEquals(4, list.size());
    assertEquals(Boolean.TRUE, list.get(1));
    // The Trace Event Format layout: the top level's members on lines of their own, and each
    // element of its arrays on one line of its own.
    assertEquals(List.of("{", "\"s\": ", "\"ts\": 1234567.891,", "\"neg\": -0.005,", "\"list\": [", "1,", "true,",
        "null,", "{\"a\":1,\"b\":[2]}", "]", "}"),
        text.lines().map(l -> l.strip().startsWith("\"s\"") ? "\"s\": " : l.strip()).collect(Collectors.toList()), text);
  }
}
