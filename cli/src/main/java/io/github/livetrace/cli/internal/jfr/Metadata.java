package io.github.livetrace.cli.internal.jfr;

import java.util.Collection;
import java.util.Collections;

/** The types a chunk declares in its metadata event, by id. */
final class Metadata {
  static final String THREAD_TYPE = "java.lang.Thread";
  static final String STACK_TRACE_TYPE = "jdk.types.StackTrace";

  private final long id;
  private final LongMap<JfrType> types;
  private final Collection<JfrType> all;

  Metadata(long id, LongMap<JfrType> types, Collection<JfrType> all) {
    this.id = id;
    this.types = types;
    this.all = Collections.unmodifiableCollection(all);
  }

  /** The id the JVM gives this version of its metadata: it changes when types are added. */
  long id() {
    return id;
  }

  /** The type of that id; null when the chunk declares none. */
  JfrType type(long typeId) {
    return types.get(typeId);
  }

  Collection<JfrType> types() {
    return all;
  }
}
