package io.github.livetrace.spring;

import io.github.livetrace.servlet.PprofServlet;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * The endpoints on the management server, when {@code management.server.port} gives it a port of
 * its own. Actuator then runs that server from a child application context and imports the
 * classes listed in {@code META-INF/spring/...ManagementContextConfiguration.imports} into it,
 * CHILD ones only there; {@link LivetraceAutoConfiguration} leaves the application's port alone
 * in that case. Annotation, enum and file name are the same in Spring Boot 3.5 and 4.0.
 *
 * <p>Its own top-level class, not nested in the auto-configuration: Spring would process a nested
 * configuration class in the main context too.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
// The properties come from the parent context: absent when livetrace.enabled=false or the
// auto-configuration is excluded, and then there is nothing to serve.
@ConditionalOnBean(LivetraceProperties.class)
class LivetraceManagementContextConfiguration {
  @Bean
  @ConditionalOnMissingBean(value = PprofServlet.class, parameterizedContainer = ServletRegistrationBean.class)
  ServletRegistrationBean<PprofServlet> livetraceServletRegistration(LivetraceProperties properties) {
    return LivetraceAutoConfiguration.ServletConfiguration.registration(properties, false);
  }
}
