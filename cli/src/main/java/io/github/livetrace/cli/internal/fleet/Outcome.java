package io.github.livetrace.cli.internal.fleet;

import java.util.Locale;

/** What became of one pod's pull; each pod has its own, and none stops the others. */
public enum Outcome {
  /** The whole answer is on disk. */
  OK,
  /** The pod was already tracing or profiling (429); its {@code Retry-After} is in the message. */
  BUSY,
  /** The answer ended early: kept as {@code .partial}, whose complete chunks {@code livetrace repair} salvages. */
  CUT,
  /** The API server or the endpoint refused the caller (RBAC, token). */
  DENIED,
  /** The pod could not be reached (not running, no route from the API server, connection refused). */
  UNREACHABLE,
  /** Something else answers on the port, or nothing at livetrace's path (404). */
  NOT_SERVING,
  /** livetrace answered and refused the request, with its reason (a duration over the cap, JFR unavailable, secrets). */
  REFUSED;

  /** The word in the manifest and on the screen: {@code ok}, {@code not serving livetrace}. */
  public String label() {
    return this == NOT_SERVING ? "not serving livetrace" : name().toLowerCase(Locale.ROOT);
  }
}
