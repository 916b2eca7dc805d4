package io.github.livetrace.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The {@code SecurityFilterChain} of the documentation, which opens the endpoints to one role,
 * works as documented on Spring Security 6.5 (Boot 3.5) and 7.0 (Boot 4.0), although the
 * servlet is a second servlet beside Spring MVC's. Tagged {@code security}, like {@link
 * SecurityDefaultTest}.
 */
@Tag("security")
@SpringBootTest(
    classes = {TestApp.class, SecurityFilterChainTest.OpsOnly.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SecurityFilterChainTest {
  @Autowired Environment environment;

  @Configuration(proxyBeanMethods = false)
  static class OpsOnly {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(
              requests -> requests.requestMatchers("/debug/pprof/**").hasRole("OPS").anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults());
      return http.build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("ann").password("{noop}ann-pw").roles("USER").build(),
          User.withUsername("olga").password("{noop}olga-pw").roles("OPS").build());
    }
  }

  @Test
  void onlyTheRoleGetsIn() throws Exception {
    String app = Http.app(environment);
    assertEquals(401, Http.get(app + "/debug/pprof/").statusCode());
    assertEquals(403, Http.get(app + "/debug/pprof/trace?seconds=1", Http.basic("ann", "ann-pw")).statusCode());
    assertEquals(200, Http.get(app + "/greet/1", Http.basic("ann", "ann-pw")).statusCode());
    assertEquals(200, Http.get(app + "/debug/pprof/", Http.basic("olga", "olga-pw")).statusCode());
  }
}
