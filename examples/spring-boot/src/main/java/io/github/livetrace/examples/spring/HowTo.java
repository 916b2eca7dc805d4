package io.github.livetrace.examples.spring;

import io.github.livetrace.spring.LivetraceProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Prints, once the shop is open, the commands that order a coffee and fetch a trace. */
@Component
class HowTo {
  private final Environment environment;
  private final ObjectProvider<LivetraceProperties> livetrace;

  HowTo(Environment environment, ObjectProvider<LivetraceProperties> livetrace) {
    this.environment = environment;
    this.livetrace = livetrace;
  }

  @EventListener(ApplicationReadyEvent.class)
  void print() {
    String app = "http://localhost:" + environment.getProperty("local.server.port");
    LivetraceProperties properties = livetrace.getIfAvailable();
    StringBuilder text = new StringBuilder();
    text.append("\nSpring coffee shop open on ").append(app).append('\n');
    text.append("  order a coffee:  curl -X POST '").append(app).append("/orders?drink=latte'\n");
    if (properties != null) {
      String managementPort = environment.getProperty("local.management.port");
      String server = managementPort != null ? "http://localhost:" + managementPort : app;
      String auth = properties.hasToken() ? "-H \"Authorization: Bearer $LIVETRACE_TOKEN\" " : "";
      text.append("  a 5 s trace:     curl ").append(auth).append("-o trace.jfr '")
          .append(server).append(properties.getBasePath()).append("/trace?seconds=5'\n");
      text.append("  its tasks:       jfr print --events livetrace.TaskEnd trace.jfr\n");
      text.append("  everything:      jfr print --events 'livetrace.*' trace.jfr\n");
    }
    // On the console whatever the logging configuration: this is what a newcomer looks for.
    System.out.println(text);
  }
}
