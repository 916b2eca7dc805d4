package io.github.livetrace.spring;

import io.github.livetrace.Region;
import io.github.livetrace.Trace;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** A request that takes as long as it is told, inside a region of its own: what a slow request looks like. */
@RestController
class SlowRequests {
  static final String REGION = "slow-request-work";

  @GetMapping("/slow/{millis}")
  String slow(@PathVariable("millis") long millis) throws InterruptedException {
    try (Region region = Trace.startRegion(REGION)) {
      Trace.log("slow", "sleeping " + millis + " ms");
      Thread.sleep(millis);
    }
    return "slept " + millis;
  }
}
