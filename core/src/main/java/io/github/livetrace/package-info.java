/**
 * livetrace: live execution traces of a running JVM, with the application's own tasks, regions
 * and logs in them. The JVM counterpart of Go's {@code runtime/trace}, built on JDK Flight
 * Recorder.
 *
 * <h2>The trace</h2>
 *
 * {@link io.github.livetrace.Trace#start(java.io.OutputStream)} starts a JFR recording and streams
 * it to any {@code OutputStream} while the application keeps running; {@link
 * io.github.livetrace.Trace#stop()} ends it. The stream is a sequence of finished JFR chunks, one
 * per chunk interval (a second by default, as Go's trace generations), so the bytes received so
 * far always open in {@code jfr print}, {@code jfr summary} and JDK Mission Control. One trace
 * runs at a time; a second {@code start} fails with "tracing is already enabled". {@link
 * io.github.livetrace.TraceOptions} chooses the JFR configuration, extra settings, the chunk
 * interval and an optional duration. Events that carry secrets (environment, system properties,
 * command lines) are always off unless turned on explicitly.
 *
 * <h2>The flight recorder</h2>
 *
 * {@link io.github.livetrace.FlightRecorder}, Go 1.25's {@code trace.FlightRecorder}: a moving
 * window of the most recent trace (at least {@code minAge}, at most {@code maxBytes}), written out
 * on demand ({@code writeTo}) or kept in a snapshot store when a task of a watched type ends slower
 * than its threshold. It runs alongside a trace.
 *
 * <h2>Annotations</h2>
 *
 * <ul>
 *   <li>A {@link io.github.livetrace.Task} is a logical operation (a request, a job) that may
 *       span threads. It becomes one {@code livetrace.TaskEnd} event, which holds its begin too
 *       (its duration and, when another, the thread that created it); a task still open when a
 *       chunk ends is a {@code livetrace.OpenTask} event at that chunk's end, so that a trace
 *       shows what had not ended. A task made current on a thread owns the regions and logs of
 *       that thread. ({@code livetrace.TaskBegin} is written only for a task created while more
 *       than 16,384 are open, and for every task by livetrace 0.1.)
 *   <li>A {@link io.github.livetrace.Region} is an interval on one thread: a {@code
 *       livetrace.Region} event with a duration. Regions nest.
 *   <li>{@link io.github.livetrace.Trace#log} writes a {@code livetrace.Log} event: a category and
 *       a message, in the current task.
 * </ul>
 *
 * <p>The annotations cost a few nanoseconds and allocate nothing while no trace records, so they
 * stay in production code. They never throw: misuse is counted and written as a {@code
 * livetrace.Misuse} event with the stack trace of the offending call. Task, region and log events
 * carry no stack trace, which would make each cost microseconds instead of about a hundred
 * nanoseconds.
 *
 * <h2>Reading a trace</h2>
 *
 * <pre>
 * jfr summary trace.jfr
 * jfr print --events 'livetrace.*' trace.jfr
 * </pre>
 *
 * or open it in JDK Mission Control, where the events are under the "livetrace" category.
 */
package io.github.livetrace;
