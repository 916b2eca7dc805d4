package io.github.livetrace.internal.pprof;

import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.Key;
import io.github.livetrace.internal.pprof.StackProfile.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link StackProfile} as pprof's {@code profile.proto} (github.com/google/pprof, {@code
 * proto/profile.proto}), uncompressed: the bytes that Go's {@code net/http/pprof} serves gzipped
 * and {@code go tool pprof} reads.
 *
 * <p>Each distinct frame (function and line) is one location; locations belong to a single
 * mapping that says functions, file names and line numbers are present, so that pprof does not
 * try to symbolize addresses (JVM frames have none).
 */
public final class PprofEncoder {
  // profile.proto field numbers
  private static final int PROFILE_SAMPLE_TYPE = 1;
  private static final int PROFILE_SAMPLE = 2;
  private static final int PROFILE_MAPPING = 3;
  private static final int PROFILE_LOCATION = 4;
  private static final int PROFILE_FUNCTION = 5;
  private static final int PROFILE_STRING_TABLE = 6;
  private static final int PROFILE_TIME_NANOS = 9;
  private static final int PROFILE_DURATION_NANOS = 10;
  private static final int PROFILE_PERIOD_TYPE = 11;
  private static final int PROFILE_PERIOD = 12;
  private static final int PROFILE_COMMENT = 13;

  private final Map<String, Integer> strings = new HashMap<>();
  private final Proto stringTable = new Proto();

  private PprofEncoder() {
    string(""); // string_table[0] must be the empty string
  }

  /** Writes {@code profile} to {@code out}, uncompressed. */
  public static void write(StackProfile profile, OutputStream out) throws IOException {
    new PprofEncoder().encode(profile).writeTo(out);
  }

  private Proto encode(StackProfile p) {
    Proto profile = new Proto();
    for (ValueType t : p.sampleTypes()) {
      profile.message(PROFILE_SAMPLE_TYPE, valueType(t));
    }

    Map<Frame, Integer> locationIds = new HashMap<>();
    Map<List<String>, Integer> functionIds = new HashMap<>();
    Proto locations = new Proto();
    Proto functions = new Proto();
    boolean hasFiles = false;
    for (Map.Entry<Key, long[]> e : p.samples().entrySet()) {
      Key key = e.getKey();
      long[] ids = new long[key.stack().size()];
      for (int i = 0; i < ids.length; i++) {
        Frame frame = key.stack().get(i);
        Integer id = locationIds.get(frame);
        if (id == null) {
          List<String> function = List.of(frame.function(), frame.file());
          Integer functionId = functionIds.get(function);
          if (functionId == null) {
            functionId = functionIds.size() + 1;
            functionIds.put(function, functionId);
            functions.message(
                PROFILE_FUNCTION,
                new Proto()
                    .varint(1, functionId)
                    .varint(2, string(frame.function()))
                    .varint(3, string(frame.function()))
                    .varint(4, string(frame.file())));
            hasFiles |= !frame.file().isEmpty();
          }
          id = locationIds.size() + 1;
          locationIds.put(frame, id);
          locations.message(
              PROFILE_LOCATION,
              new Proto()
                  .varint(1, id)
                  .varint(2, 1) // the mapping
                  .message(4, new Proto().varint(1, functionId).varint(2, frame.line())));
        }
        ids[i] = id;
      }
      Proto sample = new Proto().packed(1, ids).packed(2, e.getValue());
      for (Map.Entry<String, String> label : key.labels().entrySet()) {
        sample.message(3, new Proto().varint(1, string(label.getKey())).varint(2, string(label.getValue())));
      }
      profile.message(PROFILE_SAMPLE, sample);
    }
    profile.message(
        PROFILE_MAPPING,
        new Proto()
            .varint(1, 1)
            .varint(5, string("jvm"))
            .varint(7, 1) // has_functions
            .varint(8, hasFiles ? 1 : 0) // has_filenames
            .varint(9, 1)); // has_line_numbers
    profile.append(locations).append(functions);
    profile.varint(PROFILE_TIME_NANOS, p.timeNanos()).varint(PROFILE_DURATION_NANOS, p.durationNanos());
    if (p.periodType() != null) {
      profile.message(PROFILE_PERIOD_TYPE, valueType(p.periodType())).varint(PROFILE_PERIOD, p.period());
    }
    for (String comment : p.comments()) {
      profile.varint(PROFILE_COMMENT, string(comment));
    }
    // Last, since every string is known only now; protobuf fields may come in any order.
    return profile.append(stringTable);
  }

  private Proto valueType(ValueType t) {
    return new Proto().varint(1, string(t.type())).varint(2, string(t.unit()));
  }

  private int string(String s) {
    Integer index = strings.get(s);
    if (index == null) {
      index = strings.size();
      strings.put(s, index);
      stringTable.bytes(PROFILE_STRING_TABLE, s.getBytes(StandardCharsets.UTF_8));
    }
    return index;
  }

  /** A protobuf message being written: varints and length-delimited fields only. */
  private static final class Proto {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      if (value != 0) { // proto3: zero is the default and is not written
        tag(field, 0);
        raw(value);
      }
      return this;
    }

    Proto bytes(int field, byte[] value) {
      tag(field, 2);
      raw(value.length);
      buf.writeBytes(value);
      return this;
    }

    Proto message(int field, Proto message) {
      return bytes(field, message.buf.toByteArray());
    }

    Proto packed(int field, long[] values) {
      Proto p = new Proto();
      for (long v : values) {
        p.raw(v);
      }
      return bytes(field, p.buf.toByteArray());
    }

    Proto append(Proto other) {
      buf.writeBytes(other.buf.toByteArray());
      return this;
    }

    void writeTo(OutputStream out) throws IOException {
      buf.writeTo(out);
    }

    private void tag(int field, int wireType) {
      raw((long) field << 3 | wireType);
    }

    private void raw(long value) {
      while ((value & ~0x7FL) != 0) {
        buf.write((int) (value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buf.write((int) value);
    }
  }
}
