package io.github.livetrace.cli.internal.jfr;

import java.io.IOException;

/** Receives the events of a trace, chunk by chunk, from {@link JfrDecoder}. */
public interface JfrEventHandler {
  /**
   * Which fields of the events of {@code type} to decode. Called before the first event of the
   * type in a chunk whose metadata is new: the same type may have other fields, in another order,
   * in a trace from another JDK.
   */
  EventSelection select(JfrType type);

  /**
   * Called before the events of each chunk, with the chunk's index in the file (0 for the first).
   * Chunks come in time order from {@link JfrDecoder#decode(JfrEventHandler)}, in any order from
   * the threads of {@link JfrDecoder#decode(int, java.util.function.Supplier,
   * java.util.function.Consumer)}.
   */
  default void beginChunk(int index) {}

  /**
   * One event. The object is reused for the next event: copy what must be kept.
   *
   * @throws IOException passed on to the caller of {@link JfrDecoder#decode}
   */
  void event(JfrEvent event) throws IOException;
}
