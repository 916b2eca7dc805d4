package io.github.livetrace.servlet.internal;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorder.Snapshot;
import io.github.livetrace.internal.ByteSizes;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.SnapshotStore;
import io.github.livetrace.internal.StartCheck;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * {@code flightrecorder}: the flight recorder's window, and its snapshots.
 *
 * <ul>
 *   <li>{@code flightrecorder}: the window, ending now, as a .jfr download ({@code
 *       FlightRecorder.writeTo}); 404 when no flight recorder runs, 429 while another download of
 *       the window runs, 409 when the newest chunk holds events that carry secrets;
 *   <li>{@code flightrecorder/snapshots}: the snapshots, newest first, as text, or as a JSON array
 *       of {@code {name, size, time, reason}} with {@code Accept: application/json};
 *   <li>{@code flightrecorder/snapshots/NAME}: one snapshot; a name that is not a snapshot name is
 *       400, one the store lacks 404. The name is only matched, never used as a path.
 * </ul>
 *
 * The flight recorder served is the one started last in the JVM ({@link FlightRecorder#current()}),
 * whoever started it: the servlet, the Spring Boot starter or the application. Its snapshots stay
 * listed after it stopped.
 */
public final class FlightRecorderEndpoint implements Endpoint {
  private static final String SNAPSHOTS = "snapshots";
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Supplier<Optional<FlightRecorder>> recorder;
  private final Consumer<String> log;

  /**
   * @param recorder the flight recorder to serve, if any
   * @param log where to say that a download was cut short by JFR
   */
  public FlightRecorderEndpoint(Supplier<Optional<FlightRecorder>> recorder, Consumer<String> log) {
    this.recorder = recorder;
    this.log = log;
  }

  @Override
  public String name() {
    return "flightrecorder";
  }

  @Override
  public String description() {
    return recorder.get().filter(FlightRecorder::isEnabled)
        .map(r -> "The flight recorder's window: the last " + io.github.livetrace.internal.Durations.format(r.options().minAge())
            + " or more of this JVM's trace (at most " + ByteSizes.format(r.options().maxBytes()) + "), ending now, as a JFR file.")
        .orElse("The flight recorder's window, the last seconds of this JVM's trace ("
            + recorder.get().flatMap(FlightRecorder::startRefusal).map(FlightRecorderEndpoint::refused).orElse("no flight recorder runs now")
            + ").")
        + " " + SNAPSHOTS + " lists the windows kept when a task was slow or the application asked"
        + " (JSON with Accept: application/json); " + SNAPSHOTS + "/NAME downloads one.";
  }

  @Override
  public List<IndexLink> indexLinks() {
    List<IndexLink> links = new ArrayList<>();
    Optional<FlightRecorder> r = recorder.get();
    if (r.isEmpty()) {
      return links;
    }
    links.add(new IndexLink(name() + "/" + SNAPSHOTS, "snapshots"));
    try {
      for (Snapshot s : r.get().snapshots()) {
        links.add(new IndexLink(name() + "/" + SNAPSHOTS + "/" + s.name(), s.name() + " (" + s.size() + " bytes): " + s.reason()));
      }
    } catch (UncheckedIOException e) {
      links.add(new IndexLink(name() + "/" + SNAPSHOTS, "the snapshots cannot be listed: " + e.getCause().getMessage()));
    }
    return links;
  }

  @Override
  public void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException {
    String base = req.getContextPath() + req.getServletPath() + "/" + name();
    if (rest.isEmpty()) {
      window(req, resp);
    } else if (rest.equals(SNAPSHOTS) || rest.equals(SNAPSHOTS + "/")) {
      list(req, resp, base);
    } else if (rest.startsWith(SNAPSHOTS + "/")) {
      download(req, resp, rest.substring(SNAPSHOTS.length() + 1), base);
    } else {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: " + name() + "/" + rest);
    }
  }

  private void window(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    FlightRecorder fr = recorder.get().orElse(null);
    if (fr == null || !fr.isEnabled()) {
      notRunning(resp, fr);
      return;
    }
    // What writeTo would refuse, decided before it for HEAD and GET alike: another download, or
    // another recording whose secret-bearing events are in the newest chunk (its start began one).
    if (fr.isWriting()) {
      busy(resp);
      return;
    }
    Optional<StartCheck.Refusal> refusal = StartCheck.recording("the window's newest chunk", "");
    if (refusal.isPresent()) {
      Responses.refused(resp, "write the window", refusal.get());
      return;
    }
    ContentCoding coding = StreamedResponse.headers(req, resp, "flightrecorder-" + FILE_TIME.format(Instant.now()) + ".jfr");
    if (req.getMethod().equals("HEAD")) {
      resp.flushBuffer();
      return;
    }
    try (StreamedResponse response = StreamedResponse.open(resp, coding)) {
      WatchedOutput out = new WatchedOutput(response.body());
      window(fr, out, response, resp);
    }
  }

  private void window(FlightRecorder fr, WatchedOutput out, StreamedResponse response, HttpServletResponse resp)
      throws IOException {
    try {
      fr.writeTo(out);
    } catch (IllegalStateException e) {
      if (!fr.isEnabled()) {
        resp.reset();
        notRunning(resp, fr);
      } else {
        busy(resp);
      }
      return;
    } catch (SecurityException e) {
      Responses.refused(resp, "write the window", StartCheck.Refusal.of(e).orElseThrow());
      return;
    } catch (IOException e) {
      if (out.failed()) {
        return; // the client went away: nobody is left to tell
      }
      if (!resp.isCommitted()) {
        resp.reset();
        Responses.plain(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "writing the window failed: " + e.getMessage());
        return;
      }
      log.accept("livetrace: the flight recorder's window was cut short, aborting the response: " + e);
      throw e;
    }
    response.finish();
  }

  private static void busy(HttpServletResponse resp) throws IOException {
    Responses.busy(resp, null, 1, "another download of the flight recorder's window is running");
  }

  /** 503 for one that was asked to start and could not (it may start later), else 404. */
  private static void notRunning(HttpServletResponse resp, FlightRecorder fr) throws IOException {
    Optional<FlightRecorder.StartRefusal> refusal = fr == null ? Optional.empty() : fr.startRefusal();
    if (refusal.isPresent()) {
      Responses.plain(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE, refused(refusal.get()));
      return;
    }
    String why =
        fr == null
            ? "; start one with livetrace.flight-recorder.enabled=true (Spring Boot), the servlet's init-parameter"
                + " flight-recorder=true, or new FlightRecorder(options).start()"
            : fr.failure().map(f -> "; it stopped by itself: " + f.getMessage()).orElse("; it was stopped");
    Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "no flight recorder is running in this JVM" + why);
  }

  /** A flight recorder that was configured and could not start, in one sentence for the operator. */
  static String refused(FlightRecorder.StartRefusal refusal) {
    return "a flight recorder was configured but is not running: "
        + refusal.message()
        + (refusal.waiting()
            ? ". It starts by itself once no recording enables those events"
            : refusal.reason() == FlightRecorder.StartRefusal.Reason.ANOTHER_RUNNING
                ? ""
                : ". It will not start in this JVM");
  }

  private void list(HttpServletRequest req, HttpServletResponse resp, String base) throws IOException {
    FlightRecorder fr = recorder.get().orElse(null);
    if (fr == null) {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "no flight recorder has run in this JVM, so there are no snapshots");
      return;
    }
    List<Snapshot> snapshots;
    try {
      snapshots = fr.snapshots();
    } catch (UncheckedIOException e) {
      Responses.plain(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the snapshots cannot be listed: " + e.getCause().getMessage());
      return;
    }
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setHeader("Vary", "Accept");
    if (acceptsJson(req.getHeader("Accept"))) {
      resp.setContentType("application/json");
      try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), resp.getWriter())) {
        json.writeStartArray();
        for (Snapshot s : snapshots) {
          json.writeStartObject()
              .writeStringProperty("name", s.name())
              .writeNumberProperty("size", s.size())
              .writeStringProperty("time", s.time().toString())
              .writeStringProperty("reason", s.reason())
              .writeEndObject();
        }
        json.writeEndArray();
      }
      return;
    }
    resp.setContentType("text/plain; charset=utf-8");
    StringBuilder text = new StringBuilder();
    text.append(snapshots.size()).append(snapshots.size() == 1 ? " snapshot" : " snapshots")
        .append(", newest first; download one with: curl -O 'http://HOST").append(base).append('/').append(SNAPSHOTS).append("/NAME'\n");
    fr.startRefusal().ifPresent(r -> text.append('(').append(refused(r)).append(")\n"));
    for (Snapshot s : snapshots) {
      text.append(s.name()).append("  ").append(s.size()).append(" bytes  ").append(s.time()).append("  ").append(s.reason()).append('\n');
    }
    resp.getWriter().write(text.toString());
  }

  private void download(HttpServletRequest req, HttpServletResponse resp, String name, String base) throws IOException {
    FlightRecorder fr = recorder.get().orElse(null);
    if (!SnapshotStore.isValidName(name)) {
      Responses.plain(
          resp,
          HttpServletResponse.SC_BAD_REQUEST,
          "'" + name + "' is not a snapshot name; " + SnapshotStore.NAME_FORMAT + ". GET " + base + "/" + SNAPSHOTS + " lists them");
      return;
    }
    Optional<Path> file = fr == null ? Optional.empty() : fr.snapshotFile(name);
    if (file.isEmpty()) {
      missing(resp, name, base);
      return;
    }
    InputStream in;
    long size;
    try {
      in = Files.newInputStream(file.get());
      size = Files.size(file.get());
    } catch (NoSuchFileException e) {
      missing(resp, name, base); // removed by the store's limits since it was found
      return;
    }
    try (InputStream snapshot = in) {
      ContentCoding coding = StreamedResponse.headers(req, resp, name);
      if (coding == ContentCoding.IDENTITY) {
        resp.setContentLengthLong(size);
      }
      if (req.getMethod().equals("HEAD")) {
        resp.flushBuffer();
        return;
      }
      try (StreamedResponse response = StreamedResponse.open(resp, coding)) {
        copyChunks(snapshot, response.body());
        response.finish();
      }
    }
  }

  /**
   * Copies a snapshot file chunk by chunk, flushing after each, as a trace is sent: with zstd or
   * gzip, each chunk decodes as it arrives and a download cut short keeps its complete chunks. What
   * does not parse as a chunk header (the store writes none such) goes on as one piece.
   */
  static void copyChunks(InputStream in, OutputStream out) throws IOException {
    byte[] header = new byte[ChunkHeader.SIZE];
    byte[] buf = new byte[64 * 1024];
    while (true) {
      int n = in.readNBytes(header, 0, header.length);
      out.write(header, 0, n);
      if (n < header.length) {
        break;
      }
      Optional<ChunkHeader> chunk = ChunkHeader.parse(header, 0).filter(ChunkHeader::isPlausible);
      long left = chunk.isPresent() ? chunk.get().chunkSize() - ChunkHeader.SIZE : Long.MAX_VALUE;
      while (left > 0) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (r < 0) {
          out.flush();
          return;
        }
        out.write(buf, 0, r);
        left -= r;
      }
      out.flush();
    }
    out.flush();
  }

  private static void missing(HttpServletResponse resp, String name, String base) throws IOException {
    Responses.plain(
        resp, HttpServletResponse.SC_NOT_FOUND, "no snapshot named " + name + "; GET " + base + "/" + SNAPSHOTS + " lists them");
  }

  /** Whether an {@code Accept} header asks for JSON: {@code application/json} with a q-value above 0. */
  static boolean acceptsJson(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      String[] params = range.split(";");
      if (params[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
        for (int i = 1; i < params.length; i++) {
          String p = params[i].trim().toLowerCase(Locale.ROOT);
          if (p.startsWith("q=") && p.substring(2).trim().matches("0(\\.0*)?")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

}
