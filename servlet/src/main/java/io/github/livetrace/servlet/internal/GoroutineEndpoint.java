package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileFormat;
import io.github.livetrace.internal.pprof.StackProfile;
import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.servlet.internal.ThreadDump.DumpedThread;
import io.github.livetrace.servlet.internal.TraceParameters.BadRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code goroutine}: every thread's stack now, Go's goroutine profile for the JVM ({@link
 * ThreadDump}; virtual threads included on JDK 21+). Default: pprof, a sample type {@code
 * threads/count}, one sample per distinct stack and state, as Go's counts goroutines by stack.
 * {@code debug=1}: text, threads grouped by identical stack with their count, largest group first;
 * {@code debug=2}: text, one block per thread, as {@code jstack}. {@code format=html} and {@code
 * collapsed} draw the stacks as a flame graph.
 */
public final class GoroutineEndpoint implements Endpoint {
  @Override
  public String name() {
    return "goroutine";
  }

  @Override
  public String example() {
    return "goroutine?debug=1";
  }

  @Override
  public String description() {
    return "Stack traces of all current threads"
        + (ThreadDump.includesVirtualThreads() ? ", virtual threads included" : "")
        + ". ?debug=1: text, threads grouped by stack; ?debug=2: text, one block per thread;"
        + " default: pprof; &format=html: a flame graph.";
  }

  @Override
  public void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException {
    if (!rest.isEmpty()) {
      Responses.plain(resp, HttpServletResponse.SC_NOT_FOUND, "Unknown profile: goroutine/" + rest);
      return;
    }
    ProfileParameters params;
    try {
      params = ProfileParameters.goroutine(req);
    } catch (BadRequest e) {
      Responses.plain(resp, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    // Text answers have the headers of collapsed stacks: text/plain, gzip when accepted.
    ProfileFormat format = params.debug() > 0 ? ProfileFormat.COLLAPSED : params.format();
    if (req.getMethod().equals("HEAD")) {
      ProfileOutput.headers(req, resp, name(), format);
      resp.flushBuffer();
      return;
    }
    long start = System.nanoTime();
    long startEpoch = System.currentTimeMillis();
    List<DumpedThread> threads = ThreadDump.take();
    ProfileOutput output = ProfileOutput.open(req, resp, name(), format);
    try {
      if (params.debug() == 2) {
        writeText(threads, output.body(), false);
      } else if (params.debug() == 1) {
        writeText(threads, output.body(), true);
      } else {
        StackProfile profile = profile(threads);
        profile.setTime(TimeUnit.MILLISECONDS.toNanos(startEpoch), System.nanoTime() - start);
        format.write(profile, output.body());
      }
      output.finish();
    } catch (IOException e) {
      output.abandon();
      if (!output.clientFailed()) {
        throw e;
      }
    }
  }

  static StackProfile profile(List<DumpedThread> threads) {
    StackProfile.ValueType threadsCount = new StackProfile.ValueType("threads", "count");
    StackProfile profile = new StackProfile("Threads by stack", List.of(threadsCount), threadsCount, 1);
    for (DumpedThread t : threads) {
      profile.add(t.stack(), t.state().isEmpty() ? Map.of() : Map.of("state", t.state()), 1);
    }
    profile.addComment(summary(threads));
    return profile;
  }

  private static String summary(List<DumpedThread> threads) {
    long virtual = threads.stream().filter(DumpedThread::virtual).count();
    return threads.size() + " threads (" + (threads.size() - virtual) + " platform, " + virtual + " virtual)";
  }

  /** Go's {@code debug=1} (grouped) or {@code debug=2} (every thread) text. */
  private static void writeText(List<DumpedThread> threads, OutputStream body, boolean grouped) throws IOException {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8), false);
    if (grouped) {
      Map<List<Frame>, List<DumpedThread>> byStack = new LinkedHashMap<>();
      for (DumpedThread t : threads) {
        byStack.computeIfAbsent(t.stack(), k -> new ArrayList<>()).add(t);
      }
      List<List<DumpedThread>> groups = new ArrayList<>(byStack.values());
      groups.sort((a, b) -> Integer.compare(b.size(), a.size()));
      out.print("thread profile: total " + summary(threads) + "\n");
      for (List<DumpedThread> group : groups) {
        out.print("\n" + group.size() + " @");
        for (int i = 0; i < group.size(); i++) {
          out.print((i == 0 ? " " : ", ") + quoted(group.get(i).name()));
        }
        out.print("\n");
        for (Frame f : group.get(0).stack()) {
          out.print("#\t" + frame(f) + "\n");
        }
      }
    } else {
      out.print("thread dump: " + summary(threads) + "\n");
      for (DumpedThread t : threads) {
        out.print("\n" + quoted(t.name()) + " #" + t.id() + (t.virtual() ? " virtual" : "") + (t.state().isEmpty() ? "" : " " + t.state()) + "\n");
        for (Frame f : t.stack()) {
          out.print("\tat " + frame(f) + "\n");
        }
      }
    }
    out.flush();
    if (out.checkError()) {
      throw new IOException("writing the thread dump failed");
    }
  }

  /** A thread name on one line, whatever it holds. */
  private static String quoted(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }

  private static String frame(Frame f) {
    String where;
    if (f.kind() == StackProfile.FrameKind.NATIVE) {
      where = "Native Method";
    } else if (f.file().isEmpty()) {
      where = "Unknown Source";
    } else {
      where = f.line() > 0 ? f.file() + ":" + f.line() : f.file();
    }
    return f.function() + "(" + where + ")";
  }
}
