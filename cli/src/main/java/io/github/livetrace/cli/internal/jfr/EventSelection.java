package io.github.livetrace.cli.internal.jfr;

import java.util.List;

/**
 * What a {@link JfrEventHandler} wants of the events of one type.
 *
 * @param tag a number of the handler's choosing, handed back with each event of the type ({@link
 *     JfrEvent#tag()}), so that it can dispatch without comparing names
 * @param fields names of the fields to decode, beyond the implicit start time, duration, thread
 *     and stack trace; field {@code i} is read with slot {@code i} of {@link JfrEvent}
 * @param stackTrace whether {@link JfrEvent#stackTrace()} is wanted, which makes the chunk's pools
 *     resolvable
 */
public record EventSelection(int tag, List<String> fields, boolean stackTrace) {
  public EventSelection {
    fields = List.copyOf(fields);
  }

  public static EventSelection of(int tag, String... fields) {
    return new EventSelection(tag, List.of(fields), false);
  }

  /** This selection, with the events' stack traces. */
  public EventSelection withStackTrace() {
    return new EventSelection(tag, fields, true);
  }
}
