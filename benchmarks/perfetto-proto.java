// Perfetto's TrackEvent protobuf beside the Trace Event Format JSON that `livetrace export` writes
// (issue 18, item 5): converts an export's JSON into the same events as a Perfetto protobuf trace,
// and reads that back against a descriptor declared here, checking it against the JSON. Run by
// benchmarks/perfetto-proto.sh, which measures both formats on a large trace.
//
//   CP=cli/target/livetrace.jar:protobuf-java.jar     # Jackson from the CLI's jar
//   java -cp $CP benchmarks/perfetto-proto.java convert IN.json OUT.pftrace [--no-interning]
//   java -cp $CP benchmarks/perfetto-proto.java parse IN.json     # reads the JSON only
//   java -cp $CP benchmarks/perfetto-proto.java check IN.json OUT.pftrace
//
// Field numbers are those of Perfetto's protos/perfetto/trace (trace.proto, trace_packet.proto,
// track_event/*.proto, interned_data/interned_data.proto). What each JSON event becomes:
//   "M" process_name   a TrackDescriptor with a ProcessDescriptor
//   "M" thread_name    the thread's TrackDescriptor again, now with its ThreadDescriptor's name (the
//                      JSON names threads at its end; a track is described before its first event),
//                      earlier names in the track's description
//   "X" slice          TYPE_SLICE_BEGIN and TYPE_SLICE_END on its thread's track
//   "b" / "e" task     TYPE_SLICE_BEGIN / TYPE_SLICE_END on a track of the process named after the
//                      task type, whatever thread the task began or ended on. Tasks of a type that do
//                      not overlap share a track (a lane), so that there are as many tracks as tasks
//                      open at once rather than one per task; Perfetto merges same-named sibling
//                      tracks in its UI, as it does the JSON's async slices
//   "i" instant        TYPE_INSTANT on its thread's track (logs, CPU samples, misuse)
//   "s" / "f" flow     TYPE_INSTANT at each end of the arrow, with flow_ids / terminating_flow_ids:
//                      a TrackEvent cannot be given a flow once written, and the JSON's flows bind
//                      to slices written before them
//   args               debug_annotations (the "e"'s on the TYPE_SLICE_END, which Perfetto merges)
// Event names, categories and arg names are interned (InternedData; the sequence's first packet
// clears its incremental state, every event packet needs it), and so are arg values that name a
// type (INTERNED_VALUES); --no-interning writes them all inline, to show what interning saves.
// Timestamps are the JSON's, in nanoseconds since the start of the trace: not in time order
// ("X" is written when the slice ends), so no delta encoding.
//
// Memory: the intern tables (every distinct name, category, arg name and interned value), a track
// per thread and per lane, and the tasks open at once; nothing per event.

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class PerfettoProto {
  /** Arg keys whose string values name a type or a class: few distinct values, repeated on many events. */
  static final Set<String> INTERNED_VALUES = Set.of("task", "event", "parkedClass", "monitorClass");

  // Field numbers of Perfetto's messages, as its protos give them.
  static final int TRACE_PACKET = 1; // Trace.packet
  static final int P_TIMESTAMP = 8, P_SEQUENCE_ID = 10, P_TRACK_EVENT = 11, P_INTERNED_DATA = 12,
      P_SEQUENCE_FLAGS = 13, P_TRACK_DESCRIPTOR = 60;
  static final int SEQ_INCREMENTAL_STATE_CLEARED = 1, SEQ_NEEDS_INCREMENTAL_STATE = 2;
  static final int E_CATEGORY_IIDS = 3, E_DEBUG_ANNOTATIONS = 4, E_TYPE = 9, E_NAME_IID = 10,
      E_TRACK_UUID = 11, E_CATEGORIES = 22, E_NAME = 23, E_FLOW_IDS = 47, E_TERMINATING_FLOW_IDS = 48;
  static final int TYPE_SLICE_BEGIN = 1, TYPE_SLICE_END = 2, TYPE_INSTANT = 3;
  static final int A_NAME_IID = 1, A_BOOL = 2, A_INT = 4, A_DOUBLE = 5, A_STRING = 6, A_NAME = 10,
      A_STRING_IID = 17;
  static final int T_UUID = 1, T_NAME = 2, T_PROCESS = 3, T_THREAD = 4, T_PARENT_UUID = 5, T_DESCRIPTION = 14;
  static final int PROC_PID = 1, PROC_NAME = 6;
  static final int THREAD_PID = 1, THREAD_TID = 2, THREAD_NAME = 5;
  static final int I_CATEGORIES = 1, I_NAMES = 2, I_ANNOTATION_NAMES = 3, I_ANNOTATION_STRINGS = 29;
  static final int IID = 1, INTERNED_NAME = 2; // EventName, EventCategory, DebugAnnotationName; InternedString's str is 2 too
  static final int SEQUENCE_ID = 1;

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    switch (mode) {
      case "convert" -> convert(Path.of(args[1]), Path.of(args[2]), !Arrays.asList(args).contains("--no-interning"));
      case "parse" -> System.out.println(countJson(Path.of(args[1])));
      case "check" -> System.exit(check(Path.of(args[1]), Path.of(args[2])) ? 0 : 1);
      default -> {
        System.err.println("usage: perfetto-proto.java convert IN.json OUT.pftrace [--no-interning] | parse IN.json | check IN.json OUT.pftrace");
        System.exit(2);
      }
    }
  }

  // ---------------------------------------------------------------- the JSON, one event at a time

  /** One event of the JSON's traceEvents, its fields reused from one event to the next. */
  static final class Event {
    String ph, cat, name, id, bp;
    int pid;
    long tid, flowId;
    long tsNanos, durNanos;
    final List<String> argNames = new ArrayList<>();
    final List<Object> argValues = new ArrayList<>(); // String, Long, Double, Boolean or List<String>

    void clear() {
      ph = cat = name = id = bp = null;
      pid = 0;
      tid = flowId = tsNanos = durNanos = 0;
      argNames.clear();
      argValues.clear();
    }
  }

  interface EventSink {
    void accept(Event event) throws IOException;
  }

  /** Streams the traceEvents of a Trace Event Format file to the sink; the rest is passed over. */
  static void readJson(Path json, EventSink sink) throws IOException {
    Event event = new Event();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(json), 1 << 16);
        JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), in)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, p);
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        if (!p.currentName().equals("traceEvents")) {
          p.nextToken();
          p.skipChildren();
          continue;
        }
        expect(p.nextToken(), JsonToken.START_ARRAY, p);
        while (p.nextToken() == JsonToken.START_OBJECT) {
          event.clear();
          while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
              case "ph" -> event.ph = p.getString();
              case "cat" -> event.cat = p.getString();
              case "name" -> event.name = p.getString();
              case "bp" -> event.bp = p.getString();
              case "pid" -> event.pid = p.getIntValue();
              case "tid" -> event.tid = p.getLongValue();
              // "b"/"e" ids are strings ("2:27" in a fleet's file), flow ids numbers
              case "id" -> {
                if (value == JsonToken.VALUE_STRING) {
                  event.id = p.getString();
                } else {
                  event.flowId = p.getLongValue();
                  event.id = Long.toString(event.flowId);
                }
              }
              case "ts" -> event.tsNanos = nanos(p);
              case "dur" -> event.durNanos = nanos(p);
              case "args" -> args(p, event);
              default -> p.skipChildren();
            }
          }
          sink.accept(event);
        }
      }
    }
  }

  /** Microseconds with nanosecond decimals, as the export writes them, in nanoseconds. */
  static long nanos(JsonParser p) {
    return p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() * 1000 : Math.round(p.getDoubleValue() * 1000);
  }

  static void args(JsonParser p, Event event) {
    expect(p.currentToken(), JsonToken.START_OBJECT, p);
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      event.argNames.add(p.currentName());
      JsonToken value = p.nextToken();
      event.argValues.add(switch (value) {
        case VALUE_STRING -> p.getString();
        case VALUE_NUMBER_INT -> p.getLongValue();
        case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
        case VALUE_TRUE, VALUE_FALSE -> value == JsonToken.VALUE_TRUE;
        case START_ARRAY -> {
          List<String> strings = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            strings.add(p.getString());
          }
          yield strings;
        }
        default -> throw new IllegalArgumentException("an arg the export does not write: " + value + " at " + p.currentLocation());
      });
    }
  }

  static void expect(JsonToken actual, JsonToken expected, JsonParser p) {
    if (actual != expected) {
      throw new IllegalArgumentException("expected " + expected + ", found " + actual + " at " + p.currentLocation());
    }
  }

  /** The JSON's events by phase, and its args (of all but the "M" events). */
  static Map<String, Long> countJson(Path json) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    readJson(json, e -> {
      counts.merge(e.ph.equals("M") ? "M " + e.name : e.ph, 1L, Long::sum);
      if (!e.ph.equals("M")) {
        counts.merge("args", (long) e.argNames.size(), Long::sum);
      }
    });
    return counts;
  }

  // ---------------------------------------------------------------- writing the protobuf

  /** A growable buffer that a CodedOutputStream writes one message into, reused message after message. */
  static final class Scratch extends OutputStream {
    byte[] bytes = new byte[1 << 12];
    int size;
    final CodedOutputStream out = CodedOutputStream.newInstance(this, 1 << 12);

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    CodedOutputStream start() {
      size = 0;
      return out;
    }

    /** Writes what was written since start() into another message, as the field's bytes. */
    void writeTo(CodedOutputStream target, int field) throws IOException {
      out.flush();
      target.writeByteArray(field, bytes, 0, size);
    }
  }

  /** Strings of one kind of InternedData, each with its iid (1, 2, ...: 0 means none). */
  static final class InternTable {
    final int field;
    final Map<String, Long> iids = new HashMap<>();

    InternTable(int field) {
      this.field = field;
    }
  }

  /** A track that tasks of one type and process take in turn. */
  static final class Lane {
    final long uuid;
    final String type; // the pid and the task type: the key of its free lanes
    long lastEnd = Long.MIN_VALUE;

    Lane(long uuid, String type) {
      this.uuid = uuid;
      this.type = type;
    }
  }

  /** Writes TracePackets on one sequence. */
  static final class ProtoTrace implements AutoCloseable {
    final CodedOutputStream file;
    final boolean interning;
    final Scratch packet = new Scratch(), event = new Scratch(), interned = new Scratch(), entry = new Scratch(),
        annotation = new Scratch(), descriptor = new Scratch(), inner = new Scratch();
    final InternTable names = new InternTable(I_NAMES), categories = new InternTable(I_CATEGORIES),
        argNames = new InternTable(I_ANNOTATION_NAMES), argValues = new InternTable(I_ANNOTATION_STRINGS);
    boolean internedPending;
    long nextUuid = 1;
    final Map<Integer, Long> processTracks = new HashMap<>();
    final Map<Long, Long> threadTracks = new HashMap<>(); // by pid << 40 | tid
    final Map<String, PriorityQueue<Lane>> freeLanes = new HashMap<>(); // by pid and task type, earliest end first
    final Map<String, Lane> openTasks = new HashMap<>(); // by pid and the task's id
    long lanes, packets, unmatchedEnds;

    ProtoTrace(OutputStream out, boolean interning) throws IOException {
      this.file = CodedOutputStream.newInstance(out, 1 << 16);
      this.interning = interning;
      CodedOutputStream p = packet.start();
      p.writeUInt32(P_SEQUENCE_ID, SEQUENCE_ID);
      p.writeUInt32(P_SEQUENCE_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
      writePacket();
    }

    void accept(Event e) throws IOException {
      switch (e.ph) {
        case "M" -> metadata(e);
        case "X" -> {
          long track = threadTrack(e.pid, e.tid);
          trackEvent(e, TYPE_SLICE_BEGIN, track, e.tsNanos, true, true, 0, 0);
          trackEvent(e, TYPE_SLICE_END, track, e.tsNanos + e.durNanos, false, false, 0, 0);
        }
        case "b" -> {
          String type = e.pid + "/" + e.name;
          PriorityQueue<Lane> free = freeLanes.computeIfAbsent(type, t -> new PriorityQueue<>((a, b) -> Long.compare(a.lastEnd, b.lastEnd)));
          // Strictly before: a begin and an end at the same time on one track would be sorted by
          // Perfetto in file order, which is not time order here.
          Lane lane = !free.isEmpty() && free.peek().lastEnd < e.tsNanos ? free.poll() : newLane(e.pid, e.name, type);
          openTasks.put(e.pid + "/" + e.id, lane);
          trackEvent(e, TYPE_SLICE_BEGIN, lane.uuid, e.tsNanos, true, true, 0, 0);
        }
        case "e" -> {
          Lane lane = openTasks.remove(e.pid + "/" + e.id);
          if (lane == null) {
            unmatchedEnds++;
            return;
          }
          trackEvent(e, TYPE_SLICE_END, lane.uuid, e.tsNanos, false, true, 0, 0);
          lane.lastEnd = e.tsNanos;
          freeLanes.get(lane.type).add(lane);
        }
        case "i" -> trackEvent(e, TYPE_INSTANT, threadTrack(e.pid, e.tid), e.tsNanos, true, true, 0, 0);
        case "s" -> trackEvent(e, TYPE_INSTANT, threadTrack(e.pid, e.tid), e.tsNanos, true, true, e.flowId, 0);
        case "f" -> trackEvent(e, TYPE_INSTANT, threadTrack(e.pid, e.tid), e.tsNanos, true, true, 0, e.flowId);
        default -> throw new IllegalArgumentException("a phase the export does not write: " + e.ph);
      }
    }

    /**
     * One TrackEvent in its packet: its name and category when {@code named}, its args when
     * {@code withArgs}, and a flow that starts or ends at it.
     */
    @SuppressWarnings("unchecked")
    void trackEvent(Event e, int type, long track, long at, boolean named, boolean withArgs, long flow, long terminatingFlow)
        throws IOException {
      CodedOutputStream out = event.start();
      out.writeEnum(E_TYPE, type);
      out.writeUInt64(E_TRACK_UUID, track);
      if (named) {
        intern(out, names, E_NAME_IID, E_NAME, e.name == null ? "" : e.name);
        if (e.cat != null) {
          intern(out, categories, E_CATEGORY_IIDS, E_CATEGORIES, e.cat);
        }
      }
      if (withArgs) {
        for (int i = 0; i < e.argNames.size(); i++) {
          String key = e.argNames.get(i);
          CodedOutputStream a = annotation.start();
          intern(a, argNames, A_NAME_IID, A_NAME, key);
          Object value = e.argValues.get(i);
          if (value instanceof String s) {
            if (INTERNED_VALUES.contains(key)) {
              intern(a, argValues, A_STRING_IID, A_STRING, s);
            } else {
              a.writeString(A_STRING, s);
            }
          } else if (value instanceof Long l) {
            a.writeInt64(A_INT, l);
          } else if (value instanceof Double d) {
            a.writeDouble(A_DOUBLE, d);
          } else if (value instanceof Boolean b) {
            a.writeBool(A_BOOL, b);
          } else {
            a.writeString(A_STRING, String.join(", ", (List<String>) value));
          }
          annotation.writeTo(out, E_DEBUG_ANNOTATIONS);
        }
      }
      if (flow != 0) {
        out.writeFixed64(E_FLOW_IDS, flow);
      }
      if (terminatingFlow != 0) {
        out.writeFixed64(E_TERMINATING_FLOW_IDS, terminatingFlow);
      }
      CodedOutputStream p = packet.start();
      p.writeUInt64(P_TIMESTAMP, at);
      p.writeUInt32(P_SEQUENCE_ID, SEQUENCE_ID);
      p.writeUInt32(P_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
      event.writeTo(p, P_TRACK_EVENT);
      if (internedPending) {
        interned.writeTo(p, P_INTERNED_DATA);
        internedPending = false;
        interned.start();
      }
      writePacket();
    }

    /**
     * Writes the string's iid as {@code iidField}, adding it to the packet's InternedData the
     * first time; inline as {@code inlineField} without interning.
     */
    void intern(CodedOutputStream out, InternTable table, int iidField, int inlineField, String s) throws IOException {
      if (!interning) {
        out.writeString(inlineField, s);
        return;
      }
      Long iid = table.iids.get(s);
      if (iid == null) {
        iid = (long) table.iids.size() + 1;
        table.iids.put(s, iid);
        CodedOutputStream en = entry.start();
        en.writeUInt64(IID, iid);
        if (table.field == I_ANNOTATION_STRINGS) {
          en.writeByteArray(INTERNED_NAME, s.getBytes(java.nio.charset.StandardCharsets.UTF_8)); // InternedString.str is bytes
        } else {
          en.writeString(INTERNED_NAME, s);
        }
        if (!internedPending) {
          interned.start();
          internedPending = true;
        }
        entry.writeTo(interned.out, table.field);
      }
      out.writeUInt64(iidField, iid);
    }

    void metadata(Event e) throws IOException {
      Map<String, Object> args = new LinkedHashMap<>();
      for (int i = 0; i < e.argNames.size(); i++) {
        args.put(e.argNames.get(i), e.argValues.get(i));
      }
      String name = (String) args.get("name");
      switch (e.name) {
        case "process_name" -> processTrack(e.pid, name);
        case "thread_name" -> {
          threadTrack(e.pid, e.tid);
          @SuppressWarnings("unchecked")
          List<String> earlier = (List<String>) args.getOrDefault("earlierNames", List.of());
          threadDescriptor(threadTracks.get(threadKey(e.pid, e.tid)), e.pid, e.tid, name,
              earlier.isEmpty() ? null : "earlier names: " + String.join(", ", earlier));
        }
        default -> throw new IllegalArgumentException("metadata the export does not write: " + e.name);
      }
    }

    long processTrack(int pid, String name) throws IOException {
      Long uuid = processTracks.get(pid);
      if (uuid != null && name == null) {
        return uuid;
      }
      if (uuid == null) {
        uuid = nextUuid++;
        processTracks.put(pid, uuid);
      }
      CodedOutputStream d = descriptor.start();
      d.writeUInt64(T_UUID, uuid);
      CodedOutputStream proc = inner.start();
      proc.writeInt32(PROC_PID, pid);
      if (name != null) {
        proc.writeString(PROC_NAME, name);
      }
      inner.writeTo(d, T_PROCESS);
      writeDescriptor();
      return uuid;
    }

    static long threadKey(int pid, long tid) {
      return (long) pid << 40 | tid;
    }

    long threadTrack(int pid, long tid) throws IOException {
      long key = threadKey(pid, tid);
      Long uuid = threadTracks.get(key);
      if (uuid == null) {
        uuid = nextUuid++;
        threadTracks.put(key, uuid);
        threadDescriptor(uuid, pid, tid, null, null);
      }
      return uuid;
    }

    void threadDescriptor(long uuid, int pid, long tid, String name, String description) throws IOException {
      CodedOutputStream d = descriptor.start();
      d.writeUInt64(T_UUID, uuid);
      if (description != null) {
        d.writeString(T_DESCRIPTION, description);
      }
      CodedOutputStream thread = inner.start();
      thread.writeInt32(THREAD_PID, pid);
      thread.writeInt64(THREAD_TID, tid);
      if (name != null) {
        thread.writeString(THREAD_NAME, name);
      }
      inner.writeTo(d, T_THREAD);
      writeDescriptor();
    }

    Lane newLane(int pid, String name, String type) throws IOException {
      long parent = processTrack(pid, null);
      Lane lane = new Lane(nextUuid++, type);
      CodedOutputStream d = descriptor.start();
      d.writeUInt64(T_UUID, lane.uuid);
      d.writeUInt64(T_PARENT_UUID, parent);
      d.writeString(T_NAME, name == null || name.isEmpty() ? "task" : name);
      writeDescriptor();
      lanes++;
      return lane;
    }

    void writeDescriptor() throws IOException {
      CodedOutputStream p = packet.start();
      p.writeUInt32(P_SEQUENCE_ID, SEQUENCE_ID);
      descriptor.writeTo(p, P_TRACK_DESCRIPTOR);
      writePacket();
    }

    void writePacket() throws IOException {
      packet.writeTo(file, TRACE_PACKET);
      packets++;
    }

    @Override
    public void close() throws IOException {
      file.flush();
    }
  }

  static void convert(Path json, Path out, boolean interning) throws IOException {
    long started = System.nanoTime();
    Map<String, Long> phases = new TreeMap<>();
    ProtoTrace trace;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
        ProtoTrace t = new ProtoTrace(file, interning)) {
      trace = t;
      readJson(json, e -> {
        phases.merge(e.ph, 1L, Long::sum);
        t.accept(e);
      });
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("wrote %s: %,d bytes, %,d packets in %.2f s from %s (%,d bytes); JSON events by phase %s%n",
        out, Files.size(out), trace.packets, seconds, json, Files.size(json), phases);
    System.out.printf("tracks: %d processes, %d threads, %d task lanes; %s%n", trace.processTracks.size(),
        trace.threadTracks.size(), trace.lanes, interning
            ? String.format("interned: %d names, %d categories, %d arg names, %d arg values", trace.names.iids.size(),
                trace.categories.iids.size(), trace.argNames.iids.size(), trace.argValues.iids.size())
            : "nothing interned");
    if (trace.unmatchedEnds > 0 || !trace.openTasks.isEmpty()) {
      System.out.printf("tasks whose begin or end was missing: %d ends without a begin, %d begins without an end%n",
          trace.unmatchedEnds, trace.openTasks.size());
    }
  }

  // ---------------------------------------------------------------- reading it back

  /**
   * The subset of Perfetto's messages that convert writes, declared here from the field numbers
   * above (enums as their varints): what a reader that knew only these would see.
   */
  static final class Schema {
    final Descriptor packet;

    Schema() throws Exception {
      FileDescriptorProto file = FileDescriptorProto.newBuilder()
          .setName("livetrace_perfetto_subset.proto").setPackage("perfetto.protos").setSyntax("proto2")
          .addMessageType(message("TracePacket",
              field("timestamp", P_TIMESTAMP, "uint64"), field("trusted_packet_sequence_id", P_SEQUENCE_ID, "uint32"),
              field("track_event", P_TRACK_EVENT, "TrackEvent"), field("interned_data", P_INTERNED_DATA, "InternedData"),
              field("sequence_flags", P_SEQUENCE_FLAGS, "uint32"), field("track_descriptor", P_TRACK_DESCRIPTOR, "TrackDescriptor")))
          .addMessageType(message("TrackEvent",
              repeated(field("category_iids", E_CATEGORY_IIDS, "uint64")),
              repeated(field("debug_annotations", E_DEBUG_ANNOTATIONS, "DebugAnnotation")),
              field("type", E_TYPE, "int32"), field("name_iid", E_NAME_IID, "uint64"), field("track_uuid", E_TRACK_UUID, "uint64"),
              repeated(field("categories", E_CATEGORIES, "string")), field("name", E_NAME, "string"),
              repeated(field("flow_ids", E_FLOW_IDS, "fixed64")),
              repeated(field("terminating_flow_ids", E_TERMINATING_FLOW_IDS, "fixed64"))))
          .addMessageType(message("DebugAnnotation",
              field("name_iid", A_NAME_IID, "uint64"), field("bool_value", A_BOOL, "bool"), field("int_value", A_INT, "int64"),
              field("double_value", A_DOUBLE, "double"), field("string_value", A_STRING, "string"),
              field("name", A_NAME, "string"), field("string_value_iid", A_STRING_IID, "uint64")))
          .addMessageType(message("TrackDescriptor",
              field("uuid", T_UUID, "uint64"), field("name", T_NAME, "string"), field("process", T_PROCESS, "ProcessDescriptor"),
              field("thread", T_THREAD, "ThreadDescriptor"), field("parent_uuid", T_PARENT_UUID, "uint64"),
              field("description", T_DESCRIPTION, "string")))
          .addMessageType(message("ProcessDescriptor", field("pid", PROC_PID, "int32"), field("process_name", PROC_NAME, "string")))
          .addMessageType(message("ThreadDescriptor",
              field("pid", THREAD_PID, "int32"), field("tid", THREAD_TID, "int64"), field("thread_name", THREAD_NAME, "string")))
          .addMessageType(message("InternedData",
              repeated(field("event_categories", I_CATEGORIES, "EventCategory")),
              repeated(field("event_names", I_NAMES, "EventName")),
              repeated(field("debug_annotation_names", I_ANNOTATION_NAMES, "DebugAnnotationName")),
              repeated(field("debug_annotation_string_values", I_ANNOTATION_STRINGS, "InternedString"))))
          .addMessageType(message("EventCategory", field("iid", IID, "uint64"), field("name", INTERNED_NAME, "string")))
          .addMessageType(message("EventName", field("iid", IID, "uint64"), field("name", INTERNED_NAME, "string")))
          .addMessageType(message("DebugAnnotationName", field("iid", IID, "uint64"), field("name", INTERNED_NAME, "string")))
          .addMessageType(message("InternedString", field("iid", IID, "uint64"), field("str", INTERNED_NAME, "bytes")))
          .build();
      packet = FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("TracePacket");
    }

    static DescriptorProto message(String name, FieldDescriptorProto.Builder... fields) {
      DescriptorProto.Builder m = DescriptorProto.newBuilder().setName(name);
      for (FieldDescriptorProto.Builder f : fields) {
        m.addField(f);
      }
      return m.build();
    }

    static FieldDescriptorProto.Builder field(String name, int number, String type) {
      FieldDescriptorProto.Builder f = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
          .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
      try {
        return f.setType(FieldDescriptorProto.Type.valueOf("TYPE_" + type.toUpperCase()));
      } catch (IllegalArgumentException message) {
        return f.setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(".perfetto.protos." + type);
      }
    }

    static FieldDescriptorProto.Builder repeated(FieldDescriptorProto.Builder f) {
      return f.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED);
    }
  }

  /** What check counts of the protobuf, and what it finds wrong. */
  static final class ProtoCounts {
    final Map<String, Long> counts = new TreeMap<>();
    final List<String> errors = new ArrayList<>();

    void add(String what) {
      counts.merge(what, 1L, Long::sum);
    }

    long get(String what) {
      return counts.getOrDefault(what, 0L);
    }

    void error(String what) {
      if (errors.size() < 20) {
        errors.add(what);
      }
      add("errors");
    }
  }

  /**
   * Reads the protobuf packet by packet with DynamicMessage against the declared schema, checks
   * that nothing in it is unknown to the schema, that every iid is defined before it is used and
   * every track described before its first event, that each track's begins and ends pair up and
   * each flow has one start and one end; then compares its counts with the JSON's.
   */
  static boolean check(Path json, Path proto) throws Exception {
    Schema schema = new Schema();
    Descriptor packetType = schema.packet;
    FieldDescriptor trackEventField = packetType.findFieldByNumber(P_TRACK_EVENT);
    FieldDescriptor internedField = packetType.findFieldByNumber(P_INTERNED_DATA);
    FieldDescriptor descriptorField = packetType.findFieldByNumber(P_TRACK_DESCRIPTOR);
    FieldDescriptor flagsField = packetType.findFieldByNumber(P_SEQUENCE_FLAGS);
    FieldDescriptor sequenceField = packetType.findFieldByNumber(P_SEQUENCE_ID);
    ProtoCounts c = new ProtoCounts();
    Map<Integer, Map<Long, String>> interned = new HashMap<>(); // by InternedData field, iid -> string
    Map<Long, String> tracks = new HashMap<>(); // uuid -> kind
    Map<Long, long[]> depth = new HashMap<>(); // uuid -> begins - ends
    Map<Long, Integer> flows = new HashMap<>(); // flow id -> 1 started | 2 terminated
    boolean cleared = false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(proto), 1 << 16)) {
      CodedInputStream input = CodedInputStream.newInstance(in);
      for (int tag; (tag = input.readTag()) != 0; ) {
        input.resetSizeCounter(); // the limit counts bytes read from the stream, across packets
        if (tag != (TRACE_PACKET << 3 | 2)) {
          c.error("a field of Trace other than its packets: tag " + tag);
          input.skipField(tag);
          continue;
        }
        DynamicMessage packet = DynamicMessage.parseFrom(packetType, input.readBytes());
        c.add("packets");
        unknownFields(packet, c);
        if ((Integer) packet.getField(sequenceField) != SEQUENCE_ID) {
          c.error("a packet off the sequence");
        }
        int flags = (Integer) packet.getField(flagsField);
        if ((flags & SEQ_INCREMENTAL_STATE_CLEARED) != 0) {
          cleared = true;
          interned.clear();
        }
        if (packet.hasField(internedField)) {
          Message data = (Message) packet.getField(internedField);
          for (FieldDescriptor kind : data.getDescriptorForType().getFields()) {
            for (int i = 0; i < data.getRepeatedFieldCount(kind); i++) {
              Message entry = (Message) data.getRepeatedField(kind, i);
              Object value = entry.getField(entry.getDescriptorForType().findFieldByNumber(INTERNED_NAME));
              String s = value instanceof com.google.protobuf.ByteString b ? b.toStringUtf8() : (String) value;
              long iid = (Long) entry.getField(entry.getDescriptorForType().findFieldByNumber(IID));
              if (interned.computeIfAbsent(kind.getNumber(), k -> new HashMap<>()).put(iid, s) != null) {
                c.error("iid " + iid + " of " + kind.getName() + " defined twice");
              }
              c.add("interned " + kind.getName());
            }
          }
        }
        if (packet.hasField(descriptorField)) {
          Message d = (Message) packet.getField(descriptorField);
          long uuid = (Long) field(d, T_UUID);
          String kind = has(d, T_PROCESS) ? "process" : has(d, T_THREAD) ? "thread" : "lane";
          if (tracks.containsKey(uuid)) {
            c.add("descriptors again");
            if (kind.equals("thread") && has((Message) field(d, T_THREAD), THREAD_NAME)) {
              c.add("named threads");
            }
            if (kind.equals("process") && has((Message) field(d, T_PROCESS), PROC_NAME)) {
              c.add("named processes");
            }
          } else {
            tracks.put(uuid, kind);
            c.add("tracks " + kind);
            if (kind.equals("process") && has((Message) field(d, T_PROCESS), PROC_NAME)) {
              c.add("named processes");
            }
            if (kind.equals("lane") && !"process".equals(tracks.get((Long) field(d, T_PARENT_UUID)))) {
              c.error("a task lane whose parent is not a process's track");
            }
          }
        }
        if (packet.hasField(trackEventField)) {
          if (!cleared || (flags & SEQ_NEEDS_INCREMENTAL_STATE) == 0) {
            c.error("an event before the incremental state was cleared, or without needing it");
          }
          Message e = (Message) packet.getField(trackEventField);
          long track = (Long) field(e, E_TRACK_UUID);
          if (!tracks.containsKey(track)) {
            c.error("an event on track " + track + " before its descriptor");
          }
          int type = (Integer) field(e, E_TYPE);
          long[] open = depth.computeIfAbsent(track, t -> new long[1]);
          switch (type) {
            case TYPE_SLICE_BEGIN -> {
              c.add("slice begins");
              open[0]++;
            }
            case TYPE_SLICE_END -> {
              c.add("slice ends");
              open[0]--;
            }
            case TYPE_INSTANT -> c.add("instants");
            default -> c.error("an event of type " + type);
          }
          if (type != TYPE_SLICE_END) {
            String name = has(e, E_NAME) ? (String) field(e, E_NAME) : lookUp(interned, I_NAMES, (Long) field(e, E_NAME_IID), c);
            if (name == null) {
              c.error("an event with no name");
            }
            List<?> categoryIids = (List<?>) field(e, E_CATEGORY_IIDS);
            for (Object iid : categoryIids) {
              lookUp(interned, I_CATEGORIES, (Long) iid, c);
            }
            if (categoryIids.isEmpty() && ((List<?>) field(e, E_CATEGORIES)).isEmpty()) {
              c.error("an event with no category");
            }
          }
          for (Object a : (List<?>) field(e, E_DEBUG_ANNOTATIONS)) {
            Message annotation = (Message) a;
            c.add("args");
            if (!has(annotation, A_NAME)) {
              lookUp(interned, I_ANNOTATION_NAMES, (Long) field(annotation, A_NAME_IID), c);
            }
            if (has(annotation, A_STRING_IID)) {
              lookUp(interned, I_ANNOTATION_STRINGS, (Long) field(annotation, A_STRING_IID), c);
            }
          }
          for (Object id : (List<?>) field(e, E_FLOW_IDS)) {
            c.add("flow starts");
            if (flows.merge((Long) id, 1, (x, y) -> x | y | 4) != 1) {
              c.error("flow " + id + " started twice");
            }
          }
          for (Object id : (List<?>) field(e, E_TERMINATING_FLOW_IDS)) {
            c.add("flow ends");
            if (flows.merge((Long) id, 2, (x, y) -> x == 1 ? 3 : x | 4) != 3) {
              c.error("flow " + id + " ended without a start, or twice");
            }
          }
        }
      }
    }
    depth.forEach((track, open) -> {
      if (open[0] != 0) {
        c.error("track " + track + " (" + tracks.get(track) + ") has " + open[0] + " more begins than ends");
      }
    });
    flows.forEach((id, state) -> {
      if (state != 3) {
        c.error("flow " + id + " has not one start and one end");
      }
    });

    Map<String, Long> j = countJson(json);
    long x = j.getOrDefault("X", 0L), b = j.getOrDefault("b", 0L), e = j.getOrDefault("e", 0L);
    long i = j.getOrDefault("i", 0L), s = j.getOrDefault("s", 0L), f = j.getOrDefault("f", 0L);
    Map<String, long[]> compare = new LinkedHashMap<>();
    compare.put("slice begins = X + b", new long[] {c.get("slice begins"), x + b});
    compare.put("slice ends = X + e", new long[] {c.get("slice ends"), x + e});
    compare.put("instants = i + s + f", new long[] {c.get("instants"), i + s + f});
    compare.put("flow starts = s", new long[] {c.get("flow starts"), s});
    compare.put("flow ends = f", new long[] {c.get("flow ends"), f});
    compare.put("args (debug annotations) = args", new long[] {c.get("args"), j.getOrDefault("args", 0L)});
    compare.put("named processes = M process_name", new long[] {c.get("named processes"), j.getOrDefault("M process_name", 0L)});
    compare.put("thread tracks = named threads = M thread_name",
        new long[] {c.get("tracks thread"), c.get("named threads"), j.getOrDefault("M thread_name", 0L)});
    boolean ok = c.errors.isEmpty();
    System.out.printf("%s: %s%nJSON %s: %s%n", proto, c.counts, json, j);
    for (Map.Entry<String, long[]> row : compare.entrySet()) {
      boolean same = Arrays.stream(row.getValue()).allMatch(v -> v == row.getValue()[0]);
      ok &= same;
      System.out.printf("  %-48s %s %s%n", row.getKey(), Arrays.toString(row.getValue()), same ? "ok" : "DIFFERENT");
    }
    c.errors.forEach(error -> System.out.println("  error: " + error));
    System.out.println(ok ? "check passed" : "check FAILED");
    return ok;
  }

  static Object field(Message m, int number) {
    return m.getField(m.getDescriptorForType().findFieldByNumber(number));
  }

  static boolean has(Message m, int number) {
    return m.hasField(m.getDescriptorForType().findFieldByNumber(number));
  }

  static String lookUp(Map<Integer, Map<Long, String>> interned, int kind, long iid, ProtoCounts c) {
    String s = interned.getOrDefault(kind, Map.of()).get(iid);
    if (s == null) {
      c.error("iid " + iid + " of InternedData field " + kind + " used before it was defined");
    }
    return s;
  }

  /** Fields the schema does not know, in the message and those it holds. */
  static void unknownFields(Message m, ProtoCounts c) {
    if (!m.getUnknownFields().asMap().isEmpty()) {
      c.error("fields unknown to the schema in " + m.getDescriptorForType().getName() + ": " + m.getUnknownFields().asMap().keySet());
    }
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        for (Object v : f.getKey().isRepeated() ? (List<?>) f.getValue() : List.of(f.getValue())) {
          unknownFields((Message) v, c);
        }
      }
    }
  }
}
