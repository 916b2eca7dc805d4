/**
 * Go's {@code net/http/pprof} profiles of a JVM, from JDK Flight Recorder: which JFR events and
 * settings make each profile ({@link io.github.livetrace.internal.pprof.ProfileKind}), a short
 * recording of one ({@link io.github.livetrace.internal.pprof.ProfileRecording}), reading it, or
 * a downloaded trace, into samples by stack ({@link
 * io.github.livetrace.internal.pprof.JfrProfileReader}), and writing them as pprof protobuf
 * ({@link io.github.livetrace.internal.pprof.PprofEncoder}) or flame graphs ({@link
 * io.github.livetrace.internal.pprof.FlameGraphs}, with async-profiler's converter). Shared by the
 * servlet and the CLI; not an API.
 */
package io.github.livetrace.internal.pprof;
