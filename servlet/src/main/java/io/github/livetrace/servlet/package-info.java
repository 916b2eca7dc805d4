/**
 * The HTTP face of livetrace: {@link io.github.livetrace.servlet.PprofServlet}, mapped at {@code
 * /debug/pprof/*} in any Servlet 6 container, serves {@code /debug/pprof/trace?seconds=N} (a live
 * JFR trace, streamed chunk by chunk while it records), {@code /debug/pprof/flightrecorder} (the
 * flight recorder's window and its snapshots) and the {@code /debug/pprof/} index, as Go's {@code
 * net/http/pprof} does for Go programs.
 *
 * <pre>
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * jfr print --events 'livetrace.*' trace.jfr
 * </pre>
 *
 * Where it differs from Go, it does so on purpose: a bad {@code seconds} is a 400 that says what
 * is accepted rather than a silent 1 s; a second caller gets 429 with {@code Retry-After} rather
 * than a 500; events that carry secrets are off.
 */
package io.github.livetrace.servlet;
