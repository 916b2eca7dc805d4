/**
 * The livetrace Spring Boot starter: one dependency gives a Spring Boot servlet application Go's
 * {@code /debug/pprof/trace}, metrics about tracing, and its requests as tasks in every trace.
 *
 * <pre>
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * jfr print --events livetrace.TaskEnd trace.jfr
 * </pre>
 *
 * <p>{@link io.github.livetrace.spring.LivetraceAutoConfiguration} registers, each part only when
 * its prerequisite is there: the {@link io.github.livetrace.servlet.PprofServlet} in a servlet web
 * application; the {@link io.github.livetrace.micrometer.LivetraceMetrics} binder with a
 * Micrometer {@code MeterRegistry}; and, with an {@code ObservationRegistry}, the {@link
 * io.github.livetrace.micrometer.LivetraceObservationHandler}, which makes every observation (Spring
 * MVC's {@code http.server.requests}, {@code RestClient}'s {@code http.client.requests},
 * {@code @Scheduled} runs) a livetrace task. With {@code livetrace.flight-recorder.enabled=true} a
 * {@link io.github.livetrace.FlightRecorder} runs with the context, and with actuator {@link
 * io.github.livetrace.spring.LivetraceEndpoint} shows its state at {@code /actuator/livetrace}.
 * {@link io.github.livetrace.spring.LivetraceProperties} holds the {@code livetrace.*} properties.
 *
 * <h2>Where the endpoints are</h2>
 *
 * With actuator and a {@code management.server.port} of its own, the endpoints are served on the
 * management server only: the recommended production setup, since a pod does not publish that
 * port. Otherwise they are on the application's port, behind Spring Security when the
 * application has it, and behind {@code livetrace.token} when that is set. Nothing here ever
 * logs the token.
 *
 * <h2>Spring Boot versions</h2>
 *
 * One jar serves Spring Boot 4.0 and 3.5: it uses only types whose names did not change between
 * them ({@code ServletRegistrationBean}, the conditions, actuator's {@code
 * ManagementContextConfiguration} and {@code ManagementPortType}), and names the auto-configurations
 * it must run after by class name, for both generations.
 */
package io.github.livetrace.spring;
