package io.github.livetrace.cli.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import tools.jackson.core.JsonGenerator;

/**
 * Writes what {@code export} writes for a {@link Fleet} and a {@link ChromeTraceExport.Selection}:
 * one file's trace as its own process, several JVMs as one process each on one timeline. {@code
 * export}, {@code view}'s timeline and its Perfetto hand-over all call this, so that the three
 * show the same slices for the same window.
 */
public final class WindowExport {
  private WindowExport() {}

  /**
   * Writes the Trace Event Format JSON of {@code selection} to {@code out}, and closes it; reads
   * each file once, event by event: memory holds the open tasks and tracks, not the events.
   *
   * @return what was written
   */
  public static ChromeTraceExport.Counts write(Fleet fleet, ChromeTraceExport.Selection selection, OutputStream out)
      throws BadInputException, IOException {
    ChromeTraceExport.Counts counts = new ChromeTraceExport.Counts();
    try (JsonGenerator json = JsonOutput.eventPerLine(out)) {
      if (isOneFile(fleet)) {
        TraceFile file = fleet.parts().get(0).file();
        ChromeTraceExport export = new ChromeTraceExport(json, file, selection);
        TraceReader.decode(file, export);
        counts = export.finish();
      } else {
        ChromeTraceExport.open(json);
        for (Fleet.Jvm jvm : fleet.jvms()) {
          for (Fleet.Part part : fleet.parts()) {
            if (Arrays.stream(part.jvmOfChunk()).noneMatch(j -> j == jvm.index())) {
              continue;
            }
            ChromeTraceExport export = new ChromeTraceExport(json, part.file(), selection,
                new ChromeTraceExport.Process(jvm.index(), part.jvmOfChunk(), jvm.name(), fleet.startNanos(), fleet.endNanos()));
            TraceReader.decode(part.file(), export);
            counts.add(export.finish());
          }
        }
        ChromeTraceExport.close(json, fleet.parts().size() + " files, " + fleet.jvms().size() + " JVMs", fleet.startNanos());
      }
    }
    return counts;
  }

  /** Whether the trace is one file of one JVM, written as a file of its own (its own time origin). */
  public static boolean isOneFile(Fleet fleet) {
    return fleet.parts().size() == 1 && !fleet.isFleet();
  }
}
