package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import java.util.function.Consumer;

/**
 * {@code wall?seconds=N}: where every thread spends wall-clock time, running or waiting (in I/O,
 * on a lock, asleep), as fgprof gives Go programs; Go's {@code net/http/pprof} has no such
 * endpoint. async-profiler's {@code wall} mode only: JFR samples no waiting thread, so where
 * async-profiler cannot load the answer is 503 with the reason.
 */
public final class WallProfileEndpoint extends RecordedProfileEndpoint {
  public WallProfileEndpoint(double maxSeconds, AsyncProfilerEngine.Choice choice, Consumer<String> log) {
    super("wall", null, AsyncProfilerEngine.Mode.WALL, choice, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Wall-clock profile: where every thread spends its time, running or waiting, sampled every "
        + TraceParameters.format(AsyncProfilerEngine.Mode.WALL.interval().toMillis() / 1000.0)
        + " s by async-profiler (as fgprof does for Go; not in Go's net/http/pprof)."
        + AsyncProfilerEngine.excluded(choice()).map(why -> " Not available here: " + why + ".").orElse("")
        + parametersLine();
  }
}
