package io.github.livetrace.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * One entry of the {@code /debug/pprof/} table, as one of Go's profiles: a name (the first path
 * segment after the servlet's path), a line for the index, and the handler. The servlet has
 * already checked the method (GET or HEAD) and access when {@link #serve} runs.
 */
public interface Endpoint {
  /** The path segment, such as {@code trace}. */
  String name();

  /** What the index links to, relative to the base: the name and an example query. */
  default String example() {
    return name();
  }

  /** One line for the index, in plain text (the index escapes it). */
  String description();

  /**
   * Answers a request.
   *
   * @param rest the path after the name, without the leading slash; empty for the name itself
   */
  void serve(HttpServletRequest req, HttpServletResponse resp, String rest) throws IOException;

  /** The servlet is being taken out of service: end whatever this endpoint still runs. */
  default void destroy() {}

  /** Links the index lists under this endpoint's line, such as the files it serves now. */
  default List<IndexLink> indexLinks() {
    return List.of();
  }

  /**
   * A link of the index.
   *
   * @param path relative to the base, as {@link #example()}
   * @param text plain text (the index escapes it)
   */
  record IndexLink(String path, String text) {}
}
