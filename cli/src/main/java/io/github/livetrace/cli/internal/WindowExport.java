package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrDecoder;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.EventNames;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JsonGenerator;

/**
 * Writes what {@code export} writes for a {@link Fleet} and a {@link ChromeTraceExport.Selection}:
 * one file's trace as its own process, several JVMs as one process each on one timeline. {@code
 * export}, {@code view}'s timeline and its Perfetto hand-over all call this, so that the three
 * show the same slices for the same window.
 *
 * <p>A time window reads the chunks it needs, of each JVM, chosen from the chunk headers alone:
 *
 * <ul>
 *   <li>those that overlap it and the one after ({@link TraceReader#decode(TraceFile, int[], int,
 *       long, long, JfrEventHandler)}): events are written when they end, so a region or blocked
 *       state that began in the window and ended after that chunk is not read;
 *   <li>of the chunk before them, only the task events: its {@code OpenTask} events are the tasks
 *       open when the window's first chunk began, with their types and begins, which its regions
 *       and logs name as a read of the whole trace does (see {@link LivetraceEvents}); its {@code
 *       TaskEnd} events are read too, because a task that ends while the chunk's open tasks are
 *       written has both in the chunk;
 *   <li>a task still open after the last chunk read is drawn to the window's end, marked
 *       {@code endsAfterWindow} ({@link ChromeTraceExport#readsUpTo}), rather than looked for in
 *       later chunks, which {@code export} could not do without reading them.
 * </ul>
 *
 * Anything else is read whole: the whole trace, an export of a task ({@code --task}), and a JVM
 * none of whose chunks to read declares {@code OpenTask}: livetrace 0.1 wrote none, and lists no
 * open tasks; livetrace 0.2 declares it from its first task on (the recorder registers it then),
 * so that a chunk without it had no task to list.
 */
public final class WindowExport {
  private WindowExport() {}

  /**
   * Writes the Trace Event Format JSON of {@code selection} to {@code out}, and closes it; reads
   * the chunks the selection needs, event by event: memory holds the open tasks and tracks, not
   * the events.
   *
   * @return what was written, and how many chunks were read
   */
  public static ChromeTraceExport.Counts write(Fleet fleet, ChromeTraceExport.Selection selection, OutputStream out)
      throws BadInputException, IOException {
    ChromeTraceExport.Counts counts = new ChromeTraceExport.Counts();
    try (JsonGenerator json = JsonOutput.eventPerLine(out)) {
      if (isOneFile(fleet)) {
        Fleet.Part part = fleet.parts().get(0);
        ChromeTraceExport export = new ChromeTraceExport(json, part.file(), selection);
        long chunks = read(part, fleet.jvms().get(0).index(), selection, export);
        counts = export.finish();
        counts.chunksRead = chunks;
      } else {
        ChromeTraceExport.open(json);
        long readUpTo = Long.MAX_VALUE;
        for (Fleet.Jvm jvm : fleet.jvms()) {
          for (Fleet.Part part : fleet.parts()) {
            if (Arrays.stream(part.jvmOfChunk()).noneMatch(j -> j == jvm.index())) {
              continue;
            }
            ChromeTraceExport export = new ChromeTraceExport(json, part.file(), selection,
                new ChromeTraceExport.Process(jvm.index(), part.jvmOfChunk(), jvm.name(), fleet.startNanos(), fleet.endNanos()));
            long chunks = read(part, jvm.index(), selection, export);
            readUpTo = Math.min(readUpTo, export.readUpTo());
            ChromeTraceExport.Counts written = export.finish();
            written.chunksRead = chunks;
            counts.add(written);
          }
        }
        ChromeTraceExport.close(json, fleet.parts().size() + " files, " + fleet.jvms().size() + " JVMs", fleet.startNanos(),
            readUpTo);
      }
    }
    return counts;
  }

  /** Whether the trace is one file of one JVM, written as a file of its own (its own time origin). */
  public static boolean isOneFile(Fleet fleet) {
    return fleet.parts().size() == 1 && !fleet.isFleet();
  }

  /**
   * Hands {@code export} the chunks of {@code jvm} in {@code part} that {@code selection} needs (see
   * the class comment); returns how many were decoded.
   */
  private static long read(Fleet.Part part, int jvm, ChromeTraceExport.Selection selection, ChromeTraceExport export)
      throws BadInputException, IOException {
    TraceFile file = part.file();
    List<ChunkHeader> chunks = file.chunks();
    int[] jvmOfChunk = part.jvmOfChunk();
    boolean window = selection.tasks() == null && selection.threads() == null
        && (selection.fromNanos() != Long.MIN_VALUE || selection.toNanos() != Long.MAX_VALUE);
    boolean[] wanted = TraceReader.chunksAround(chunks, jvmOfChunk, jvm, selection.fromNanos(), selection.toNanos());
    // The JVM's chunks in time order: the one before the first wanted, and whether any comes after the last.
    int before = -1;
    int last = -1;
    int count = 0;
    boolean later = false;
    for (int i : JfrDecoder.timeOrder(chunks)) {
      if (jvmOfChunk[i] != jvm) {
        continue;
      }
      if (wanted[i]) {
        last = i;
        count++;
      } else if (last < 0) {
        before = i;
      } else {
        later = true;
      }
    }
    if (!window || !listsOpenTasks(file, before, wanted)) {
      TraceReader.decode(file, export);
      return chunks.size();
    }
    long read = 0;
    if (before >= 0) {
      int chunk = before;
      TraceReader.decode(file, i -> i == chunk, tasksOnly(export));
      read++;
    }
    if (last >= 0) {
      if (later) {
        export.readsUpTo(chunks.get(last).endNanos());
      }
      TraceReader.decode(file, i -> wanted[i], export);
      read += count;
    }
    return read;
  }

  /** Whether the chunk before ({@code -1} for none) or any chunk wanted declares {@code OpenTask}. */
  private static boolean listsOpenTasks(TraceFile file, int before, boolean[] wanted) throws BadInputException, IOException {
    if (before >= 0 && TraceReader.declaresEvent(file, before, EventNames.OPEN_TASK)) {
      return true;
    }
    for (int i = 0; i < wanted.length; i++) {
      if (wanted[i] && TraceReader.declaresEvent(file, i, EventNames.OPEN_TASK)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code export}, for the task events of a chunk only ({@code TaskBegin}, {@code TaskEnd},
   * {@code OpenTask}): the others are not decoded, and their records are passed over.
   */
  private static JfrEventHandler tasksOnly(ChromeTraceExport export) {
    return new JfrEventHandler() {
      @Override
      public void beginChunk(int index) {
        export.beginChunk(index);
      }

      @Override
      public EventSelection select(JfrType type) {
        EventSelection selection = export.select(type);
        return LivetraceEvents.isTaskEvent(selection.tag()) ? selection : EventSelection.of(LivetraceEvents.OTHER);
      }

      @Override
      public void event(JfrEvent event) {
        if (LivetraceEvents.isTaskEvent(event.tag())) {
          export.event(event);
        }
      }
    };
  }
}
