/**
 * The machinery behind the commands, not an API: chunk-header scanning ({@link
 * io.github.livetrace.cli.internal.TraceFile}), reading with livetrace's own decoder ({@link
 * io.github.livetrace.cli.internal.TraceReader}, over {@link io.github.livetrace.cli.internal.jfr}),
 * open-task state ({@link io.github.livetrace.cli.internal.TaskTracker}), the analyses ({@link
 * io.github.livetrace.cli.internal.TraceSummary}, {@link
 * io.github.livetrace.cli.internal.TaskSearch}, {@link
 * io.github.livetrace.cli.internal.TaskDetails}, {@link
 * io.github.livetrace.cli.internal.TaskScope}, {@link
 * io.github.livetrace.cli.internal.ChromeTraceExport} with {@link
 * io.github.livetrace.cli.internal.SliceTracks}), and JSON output ({@link
 * io.github.livetrace.cli.internal.JsonOutput}, over jackson-core). Latency histograms are
 * HdrHistogram's; durations are core's {@link io.github.livetrace.internal.Durations}.
 */
package io.github.livetrace.cli.internal;
