package io.github.livetrace.internal.pprof;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/** What a {@link StackProfile} is written as: the servlet's {@code format=} and the CLI's {@code --format}. */
public enum ProfileFormat {
  /** pprof's {@code profile.proto}, written uncompressed here; served and saved gzipped, as Go does. */
  PPROF,
  /** A flame graph: one self-contained HTML page. */
  HTML,
  /** Collapsed stacks, one {@code root;...;leaf value} line per stack, for flamegraph.pl and speedscope. */
  COLLAPSED;

  /** The name in requests and on the command line: {@code pprof}, {@code html}, {@code collapsed}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Writes {@code profile} in this format to {@code out}, which stays open. */
  public void write(StackProfile profile, OutputStream out) throws IOException {
    if (this == PPROF) {
      PprofEncoder.write(profile, out);
    } else {
      FlameGraphs.write(profile, this == COLLAPSED, out);
    }
  }
}
