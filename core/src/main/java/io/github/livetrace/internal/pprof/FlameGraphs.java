package io.github.livetrace.internal.pprof;

import io.github.livetrace.internal.Durations;
import io.github.livetrace.internal.pprof.StackProfile.Frame;
import io.github.livetrace.internal.pprof.StackProfile.Key;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import one.convert.Arguments;
import one.convert.CallStack;
import one.convert.FlameGraph;

/**
 * Flame graphs of a {@link StackProfile}, drawn by async-profiler's converter ({@code
 * tools.profiler:jfr-converter}): a self-contained HTML page (no network, no scripts from
 * elsewhere), or collapsed stacks ({@code frame;frame;frame value} per line, root first), the
 * input of {@code flamegraph.pl} and speedscope. The converter is an optional dependency of core:
 * only this class needs it.
 *
 * <p>The width of a frame is the profile's default value (its last sample type: bytes for
 * allocations, delay for mutex and block), except for CPU profiles, whose cpu time is
 * proportional to their sample count: there it is the count, which is what the page calls the
 * values ("samples"). The class of an allocated object or of a lock is drawn as a leaf frame.
 */
public final class FlameGraphs {
  /**
   * The frame type whose names the converter writes without a suffix: collapsed stacks are plain
   * names ({@code _[j]} and the like are its markers for colouring, not part of a name).
   */
  private static final byte PLAIN = one.convert.Frame.TYPE_NATIVE;

  private FlameGraphs() {}

  /**
   * Writes the flame graph of {@code profile} to {@code out}, which stays open.
   *
   * @param collapsed collapsed stacks as text, else the HTML page
   * @throws IOException when writing to {@code out} failed
   */
  public static void write(StackProfile profile, boolean collapsed, OutputStream out) throws IOException {
    int value = valueIndex(profile);
    Arguments args = new Arguments();
    args.output = collapsed ? "collapsed" : "html";
    args.title = html(title(profile, value));
    FlameGraph graph = new FlameGraph(args);
    CallStack stack = new CallStack();
    for (Map.Entry<Key, long[]> e : profile.samples().entrySet()) {
      List<Frame> frames = e.getKey().stack();
      for (int i = frames.size() - 1; i >= 0; i--) { // the converter wants the root first
        Frame f = frames.get(i);
        stack.push(safe(f.function()), collapsed ? PLAIN : type(f.kind()));
      }
      for (String label : profile.leafLabels()) {
        String type = e.getKey().labels().get(label);
        if (type != null) {
          stack.push(safe(type), collapsed ? PLAIN : type(StackProfile.FrameKind.CLASS));
        }
      }
      long v = e.getValue()[value];
      if (v > 0) {
        graph.addSample(stack, v);
      }
      stack.clear();
    }
    PrintStream print = new PrintStream(new NonClosing(out), false, StandardCharsets.UTF_8);
    graph.dump(print);
    print.flush();
    if (print.checkError()) { // PrintStream keeps the exception to itself
      throw new IOException("writing the flame graph failed");
    }
  }

  /** Which sample type the frames' widths show. */
  static int valueIndex(StackProfile profile) {
    int last = profile.sampleTypes().size() - 1;
    return profile.sampleTypes().get(last).type().equals("cpu") ? 0 : last;
  }

  private static String title(StackProfile profile, int value) {
    StackProfile.ValueType t = profile.sampleTypes().get(value);
    return profile.title()
        + ", "
        + Durations.format(profile.durationNanos())
        + " (widths: "
        + t.type()
        + (t.unit().equals("count") ? "" : ", " + t.unit())
        + ")";
  }

  private static byte type(StackProfile.FrameKind kind) {
    switch (kind) {
      case NATIVE:
        return one.convert.Frame.TYPE_NATIVE;
      case CLASS:
        return one.convert.Frame.TYPE_KERNEL; // the converter's colour for allocated classes
      default:
        return one.convert.Frame.TYPE_JIT_COMPILED;
    }
  }

  /**
   * A name as the page can hold it: the converter escapes quotes and backslashes in its script's
   * string literals, not line breaks (which class names may contain) nor an end tag.
   */
  static String safe(String name) {
    StringBuilder b = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean bad = Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || (c == '/' && i > 0 && name.charAt(i - 1) == '<');
      if (bad && b == null) {
        b = new StringBuilder(name.substring(0, i));
      }
      if (b != null) {
        b.append(bad ? '?' : c);
      }
    }
    return b == null ? name : b.toString();
  }

  /** The title goes into the page as is. */
  private static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The converter's PrintStream must not close the caller's stream. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
