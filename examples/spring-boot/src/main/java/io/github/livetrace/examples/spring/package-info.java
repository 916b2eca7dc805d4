/**
 * The livetrace Spring Boot demo: a coffee shop whose requests, client calls, scheduled runs and
 * {@code @Async} work appear as tasks, regions and logs in a live trace, with no livetrace code
 * beyond a few regions and logs in the shop itself.
 *
 * <pre>
 * mvn -pl examples/spring-boot -am package -DskipTests
 * java -jar examples/spring-boot/target/livetrace-spring-example.jar
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * jfr print --events livetrace.TaskEnd trace.jfr
 * </pre>
 */
package io.github.livetrace.examples.spring;
