package io.github.livetrace.examples.spring;

import java.util.concurrent.ThreadLocalRandom;

/** Stands for real work in the demo: a few milliseconds of waiting. */
final class Work {
  private Work() {}

  static void forMillis(int min, int max) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(min, max + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
