package io.github.livetrace.examples.spring;

import io.github.livetrace.Trace;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The barista, reached over HTTP as another service would be. Brewing is an observation of the
 * application's own ({@code coffee.brew}): like Spring's, it becomes a task, here a child of the
 * barista's request task. There is one espresso machine, so concurrent orders queue for it.
 */
@RestController
class BaristaController {
  private final ObservationRegistry observations;
  private final Object espressoMachine = new Object();

  BaristaController(ObservationRegistry observations) {
    this.observations = observations;
  }

  @PostMapping("/barista/brew")
  String brew(@RequestParam("drink") String drink) {
    return Observation.createNotStarted("coffee.brew", observations)
        .lowCardinalityKeyValue("drink", drink)
        .observe(
            () -> {
              Trace.withRegion("grindBeans", () -> Work.forMillis(2, 4));
              synchronized (espressoMachine) {
                Trace.withRegion("pullShot", () -> Work.forMillis(4, 8));
              }
              return "a shot for the " + drink;
            });
  }
}
