/**
 * The machinery behind the commands, not an API: chunk-header scanning ({@link
 * io.github.livetrace.cli.internal.TraceFile}), streaming reading ({@link
 * io.github.livetrace.cli.internal.TraceReader}), open-task state ({@link
 * io.github.livetrace.cli.internal.TaskTracker}), the analyses ({@link
 * io.github.livetrace.cli.internal.TraceSummary}, {@link
 * io.github.livetrace.cli.internal.TaskSearch}, {@link
 * io.github.livetrace.cli.internal.TaskDetails}, {@link
 * io.github.livetrace.cli.internal.ChromeTraceExport}), and small formats ({@link
 * io.github.livetrace.cli.internal.LatencyHistogram}, {@link
 * io.github.livetrace.cli.internal.JsonWriter}). The decoder that {@code summary} reads with is in
 * {@link io.github.livetrace.cli.internal.jfr}; durations are core's {@link
 * io.github.livetrace.internal.Durations}.
 */
package io.github.livetrace.cli.internal;
