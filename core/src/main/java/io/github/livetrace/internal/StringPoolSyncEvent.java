package io.github.livetrace.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Bookkeeping written by {@link StringPoolGuard} on JDK 20 and older, at most twice per thread
 * that writes livetrace events. It carries no field: committing it is what matters, because a
 * commit gives the thread its JFR event writer, and a commit through a writer that a chunk
 * rotation has flagged clears JFR's string cache.
 */
@Name(EventNames.STRING_POOL_SYNC)
@Label("String Pool Sync")
@Category("livetrace internal")
@Description(
    "Written so that JFR's string pool (JDK 20 and older) cannot give livetrace events the ids of"
        + " strings of an earlier chunk; no data, safe to ignore")
@StackTrace(false)
public final class StringPoolSyncEvent extends jdk.jfr.Event {}
