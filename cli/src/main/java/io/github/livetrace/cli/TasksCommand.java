package io.github.livetrace.cli;

import io.github.livetrace.cli.internal.TaskDetails;
import io.github.livetrace.cli.internal.TaskSearch;
import io.github.livetrace.cli.internal.Fleet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code livetrace tasks TRACE}: the slowest tasks that match, each with its parent, children,
 * threads, and regions and logs in time order (Go's task page). Two passes over the trace, each
 * on several threads: the first finds the slowest matching task ids, the second collects what
 * those tasks touched.
 */
@Command(
    name = "tasks",
    mixinStandardHelpOptions = true,
    description = {
      "Task instances, slowest first: duration, parent and child tasks, the threads each ran on,"
          + " and its regions and logs in time order with their offset from the task's begin.",
      "Tasks still open at the end of the trace are measured up to its end and marked unfinished.",
      "Several files, or a directory that livetrace pull wrote, are one trace of many JVMs: each task"
          + " is shown with its JVM (pod), and ids of different JVMs never meet."
    })
final class TasksCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "TRACE",
      description = "the trace: a .jfr file, several, or a directory (such as one livetrace pull wrote)")
  private List<Path> traces;

  @Option(names = "--type", paramLabel = "T", description = "only tasks of this type")
  private String type;

  @Option(
      names = "--min",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "only tasks that took at least D, such as 100ms")
  private Duration min;

  @Option(
      names = "--max",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "only tasks that took at most D")
  private Duration max;

  @Option(
      names = "--text",
      paramLabel = "S",
      description = "only tasks whose type, region types, log categories or log messages contain S (ignoring case)")
  private String text;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "show the N slowest (default ${DEFAULT-VALUE})")
  private int limit;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, was " + limit);
    }
    long minNanos = min == null ? 0 : min.toNanos();
    long maxNanos = max == null ? Long.MAX_VALUE : max.toNanos();
    if (minNanos > maxNanos) {
      throw new ParameterException(spec.commandLine(), "--min is larger than --max");
    }
    PrintWriter err = spec.commandLine().getErr();
    Fleet fleet = Fleet.open(traces, note -> err.println("livetrace tasks: " + note));
    err.flush();
    TaskSearch.Filter filter =
        new TaskSearch.Filter(type, minNanos, maxNanos, text == null || text.isEmpty() ? null : text, limit);
    TaskSearch search = TaskSearch.of(fleet, filter);
    List<TaskSearch.Match> matches = search.finish();
    PrintWriter out = spec.commandLine().getOut();
    if (matches.isEmpty()) {
      out.printf(Locale.ROOT, "no task matches (%d tasks in %s)%n", search.tasksSeen(), TaskReport.source(fleet));
      out.flush();
      return 0;
    }
    TaskDetails details = TaskDetails.of(fleet, matches);
    new TaskReport(fleet, search, details).print(out);
    out.flush();
    return 0;
  }
}
