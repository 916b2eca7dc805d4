package io.github.livetrace.spring;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.Trace;
import io.github.livetrace.micrometer.LivetraceMetrics;
import io.github.livetrace.micrometer.LivetraceObservationHandler;
import io.github.livetrace.servlet.PprofServlet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of livetrace for Spring Boot 4.0 and 3.5. Adding the starter is enough:
 *
 * <pre>
 * curl -o trace.jfr 'http://localhost:8080/debug/pprof/trace?seconds=5'
 * jfr print --events livetrace.TaskEnd trace.jfr
 * </pre>
 *
 * <p>Unless {@code livetrace.enabled=false}, which registers nothing at all, it registers:
 *
 * <ul>
 *   <li>in a servlet web application, the {@link PprofServlet} at {@code livetrace.base-path}
 *       (default {@code /debug/pprof}): on the application's port, or, with actuator and a {@code
 *       management.server.port} of its own, on the management server only (see {@link
 *       LivetraceManagementContextConfiguration}). A bean of type {@code
 *       ServletRegistrationBean<PprofServlet>} of the application's replaces it. Requests to
 *       the endpoints are kept out of Spring MVC's observations, so that a trace download does
 *       not count as a long request in {@code http.server.requests};
 *   <li>with a Micrometer {@code MeterRegistry} bean, the {@link LivetraceMetrics} binder
 *       ({@code livetrace.traces.*} and the {@code livetrace.task} timer);
 *   <li>with an {@code ObservationRegistry} bean, unless {@code
 *       livetrace.observation.enabled=false}, the {@link LivetraceObservationHandler}: every Spring
 *       MVC request and every observed client call becomes a task;
 *   <li>with actuator, a {@code SanitizingFunction} that hides every value containing the token
 *       in its {@code env} and {@code configprops} endpoints, also where they are set to show
 *       values;
 *   <li>unless {@code livetrace.warm-up=false}, a listener that warms JFR up in the background
 *       once the application is ready, so that the first trace is as quick as any other;
 *   <li>with {@code livetrace.flight-recorder.enabled=true}, a running {@link FlightRecorder}
 *       (stopped with the context) whose window and snapshots the servlet serves at {@code
 *       {base-path}/flightrecorder};
 *   <li>with actuator, the read-only {@link LivetraceEndpoint} ({@code /actuator/livetrace}),
 *       when exposed.
 * </ul>
 *
 * Each bean backs off when the application defines one of the same type.
 */
@AutoConfiguration(
    afterName = {
      // Boot 3.5, then Boot 4.0: the registries must exist before @ConditionalOnBean looks.
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnProperty(prefix = "livetrace", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(LivetraceProperties.class)
public final class LivetraceAutoConfiguration {
  private static final Log LOG = LogFactory.getLog(LivetraceAutoConfiguration.class);

  /**
   * The endpoints on the application's port. Servlet types appear in this nested class only:
   * reflection on the outer class must not need the servlet API, which a WebFlux or batch
   * application lacks.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @Conditional(OnApplicationPortCondition.class)
  static class ServletConfiguration {
    /** Name of the servlet, on either server. */
    static final String SERVLET_NAME = "livetrace";

    /** Boot's own servlet registration of PprofServlet; also used on the management server. */
    static ServletRegistrationBean<PprofServlet> registration(
        LivetraceProperties properties, boolean onApplicationPort) {
      PprofServlet servlet =
          PprofServlet.builder()
              .maxDuration(properties.maxDuration())
              .chunkInterval(properties.getChunkInterval())
              .writeTimeout(properties.getWriteTimeout())
              // Warmed up once the application is ready (WarmUp below), not while it starts.
              .warmUp(false)
              .allowedSettings(properties.getAllowedSettings().toArray(new String[0]))
              .bearerToken(properties.getToken())
              .profiler(properties.getProfiler())
              .build();
      ServletRegistrationBean<PprofServlet> registration =
          new ServletRegistrationBean<>(servlet, properties.getBasePath() + "/*");
      registration.setName(SERVLET_NAME);
      // Init errors then fail the startup, not the first trace someone needs in an incident.
      registration.setLoadOnStartup(1);
      if (onApplicationPort
          && !properties.hasToken()
          && !ClassUtils.isPresent(
              "org.springframework.security.web.SecurityFilterChain",
              LivetraceAutoConfiguration.class.getClassLoader())) {
        // Never the token itself: only whether one is set.
        LOG.warn(
            "livetrace: " + properties.getBasePath() + "/ (traces, profiles, thread dumps) is served on the application's port"
                + " to anyone who can reach it: set livetrace.token, add Spring Security, or serve"
                + " it on a management.server.port that is not published");
      }
      return registration;
    }

    @Bean
    @ConditionalOnMissingBean(value = PprofServlet.class, parameterizedContainer = ServletRegistrationBean.class)
    ServletRegistrationBean<PprofServlet> livetraceServletRegistration(LivetraceProperties properties) {
      return registration(properties, true);
    }

    /**
     * Keeps requests to the endpoints out of Spring MVC's {@code http.server.requests}: a 30 s
     * trace download would otherwise count as a 30 s request in the application's latency (and
     * its alerts), and as a span in its distributed traces. Boot applies {@code
     * ObservationPredicate} beans to the registry.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ServerRequestObservationContext.class)
    @ConditionalOnBean(ObservationRegistry.class)
    static class EndpointRequestsUnobserved {
      @Bean
      ObservationPredicate livetraceEndpointRequestsUnobserved(LivetraceProperties properties) {
        String servletPath = properties.getBasePath();
        return (name, context) ->
            !(context instanceof ServerRequestObservationContext
                && servletPath.equals(((ServerRequestObservationContext) context).getCarrier().getServletPath()));
      }
    }
  }

  /** The meters; Boot binds every {@code MeterBinder} bean to its registries. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LivetraceMetrics livetraceMetrics(LivetraceProperties properties) {
      return new LivetraceMetrics()
          .withPercentileHistogram(properties.getMetrics().isPercentileHistogram())
          .withMaxTaskTypes(properties.getMetrics().getMaxTaskTypes());
    }
  }

  /** The Observation bridge; Boot adds every {@code ObservationHandler} bean to the registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ObservationHandler.class)
  @ConditionalOnBean(ObservationRegistry.class)
  @ConditionalOnProperty(
      prefix = "livetrace.observation", name = "enabled", havingValue = "true", matchIfMissing = true)
  static class ObservationConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LivetraceObservationHandler livetraceObservationHandler() {
      return new LivetraceObservationHandler();
    }
  }

  /**
   * Pays JDK Flight Recorder's one-time start-up costs ({@link Trace#warmUp()}) on a background
   * thread once the application is ready: not during start-up, which it must not lengthen, and
   * before anyone asks for a first trace, which would otherwise wait seconds for JFR.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "livetrace", name = "warm-up", havingValue = "true", matchIfMissing = true)
  static class WarmUp {
    @Bean
    ApplicationListener<ApplicationReadyEvent> livetraceWarmUp() {
      return event -> Trace.warmUp();
    }
  }

  /**
   * The flight recorder, started with the context (so that its window holds the start-up too) and
   * stopped with it. One that cannot start (another runs in the JVM, JFR is missing, another
   * recording enables events that carry secrets) is never fatal: the application and the traces
   * work without it; the core logs why at WARN, {@code /actuator/livetrace}, the endpoint and
   * {@code livetrace.flightrecorder.refused} say it, and it starts once the obstacle goes away
   * ({@link FlightRecorder#startWhenPossible()}).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "livetrace.flight-recorder", name = "enabled", havingValue = "true")
  static class FlightRecorderConfiguration {
    @Bean(destroyMethod = "stop")
    @ConditionalOnMissingBean
    FlightRecorder livetraceFlightRecorder(LivetraceProperties properties) {
      FlightRecorder recorder = new FlightRecorder(properties.getFlightRecorder().options());
      recorder.startWhenPossible();
      return recorder;
    }
  }

  /**
   * {@code /actuator/livetrace}, when actuator is there and the endpoint exposed. The URLs it gives
   * are on the server that serves the livetrace servlet.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  static class ActuatorEndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(LivetraceEndpoint.class)
    LivetraceEndpoint livetraceEndpoint(LivetraceProperties properties, Environment environment) {
      String prefix =
          ManagementPort.isSeparate(environment)
              ? environment.getProperty("management.server.base-path", "")
              : environment.getProperty("server.servlet.context-path", "");
      return new LivetraceEndpoint(prefix.replaceAll("/+$", "") + properties.getBasePath());
    }
  }

  /**
   * Boot hides every value in {@code /actuator/env} and {@code configprops} by default, but an
   * application may show them ({@code show-values=always}) to debug its configuration; the token
   * that guards the trace endpoint must stay hidden then too. Matched by value, and by any value
   * that contains it, so that it is hidden under whatever name and in whatever text it was
   * supplied: {@code livetrace.token}, {@code LIVETRACE_TOKEN}, the command line in {@code
   * sun.java.command}, the JSON of {@code SPRING_APPLICATION_JSON}. Boot applies the function to
   * every property source, the per-property view and {@code configprops}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SanitizingFunction.class)
  static class TokenSanitizing {
    @Bean
    SanitizingFunction livetraceTokenSanitizer(LivetraceProperties properties) {
      return data -> {
        Object value = data.getValue();
        return properties.hasToken() && value != null && String.valueOf(value).contains(properties.getToken().trim())
            ? data.withSanitizedValue()
            : data;
      };
    }
  }

  /**
   * Matches unless actuator will run a management server on a port of its own, where {@link
   * LivetraceManagementContextConfiguration} serves the endpoints instead. Uses Boot's own {@code
   * ManagementPortType}, whose name and meaning are the same in Boot 3.5 and 4.0.
   */
  static final class OnApplicationPortCondition extends SpringBootCondition {
    private static final String MANAGEMENT_PORT_TYPE =
        "org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      ConditionMessage.Builder message = ConditionMessage.forCondition("livetrace on the application's port");
      if (!ClassUtils.isPresent(MANAGEMENT_PORT_TYPE, context.getClassLoader())) {
        return ConditionOutcome.match(message.because("actuator is absent, so there is no management server"));
      }
      if (ManagementPort.isSeparate(context.getEnvironment())) {
        return ConditionOutcome.noMatch(
            message.because("management.server.port is a port of its own: livetrace is served there"));
      }
      return ConditionOutcome.match(message.because("the management server, if any, shares the application's port"));
    }
  }

  /** Loaded only once actuator is known to be present. */
  private static final class ManagementPort {
    static boolean isSeparate(Environment environment) {
      return ManagementPortType.get(environment) == ManagementPortType.DIFFERENT;
    }
  }
}
