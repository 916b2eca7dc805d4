/**
 * The {@code livetrace} command line: what {@code go tool trace} shows for Go, for a trace
 * downloaded from a JVM that runs livetrace. Run as {@code java -jar livetrace.jar <command>}.
 *
 * <h2>Commands</h2>
 *
 * <ul>
 *   <li>{@code summary TRACE [--format text|json]}: per task type and per region type the count,
 *       the completed count, p50/p90/p99/max latency and a log-scale histogram; logs per
 *       category; the time span, chunks and threads of the trace.
 *   <li>{@code tasks TRACE [--type T] [--min D] [--max D] [--text S] [--limit N]}: the slowest
 *       matching tasks, each with parent, children, threads, and its regions and logs in time
 *       order (Go's task page).
 *   <li>{@code export TRACE -o OUT.json [--from D] [--to D] [--task ID]}: a Trace Event Format
 *       timeline for ui.perfetto.dev, of the whole trace, a time window or one task.
 *   <li>{@code repair TRACE -o OUT}: the complete chunks of a download that was cut short.
 *   <li>{@code view TRACE [--port P] [--no-browser]}: the overview, task and region types with
 *       latency histograms, the instances of a range, a task's and a region's page with what their
 *       threads did meanwhile, flame graphs, the timeline in windows (with a hand-over to the
 *       Perfetto UI) and JDK Mission Control's findings, served on 127.0.0.1.
 * </ul>
 *
 * <h2>How a trace is read</h2>
 *
 * A livetrace trace is a JFR file: a sequence of self-contained chunks, each about a second of
 * events. {@link io.github.livetrace.cli.internal.TraceFile} walks the 68-byte chunk headers
 * first, which finds foreign and cut files before any parsing, and gives the time span (from the
 * earliest chunk to the latest, whatever their order in the file) and the chunk boundaries.
 * {@link io.github.livetrace.cli.internal.TraceReader} then streams the events through
 * livetrace's own decoder ({@link io.github.livetrace.cli.internal.jfr}), for every command, so
 * that all of them agree on what a file holds: each chunk is read with its own metadata, pools and
 * clock, so a file may hold chunks of several JVMs and JDK versions. The decoder decodes only
 * the fields a command selects: {@code summary} reads chunks on several threads, {@code tasks}
 * and {@code export} read them one after the other in time order. Nothing holds all events.
 * Latency goes into HdrHistograms (percentiles within 0.8%), and per-task state lives in a {@link
 * io.github.livetrace.cli.internal.TaskTracker} only while the task is open, so that memory
 * follows the number of concurrent tasks rather than the length of the trace: {@code summary} of
 * a gigabyte runs in a small heap.
 *
 * <h2>Errors</h2>
 *
 * Bad usage and bad input (missing, empty, foreign or cut files) exit with status 2 and a
 * one-line message naming the file and the problem; for a cut file it names {@code repair}. See
 * {@link io.github.livetrace.cli.LivetraceCli}.
 */
package io.github.livetrace.cli;
