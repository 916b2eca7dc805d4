/**
 * The livetrace demo: a coffee shop whose orders are tasks spanning barista threads, with the
 * pprof servlet at {@code /debug/pprof/}. Start it with {@code java -jar
 * examples/target/livetrace-example.jar --load} and fetch a trace with {@code curl -o trace.jfr
 * 'http://localhost:8080/debug/pprof/trace?seconds=5'}.
 */
package io.github.livetrace.examples;
