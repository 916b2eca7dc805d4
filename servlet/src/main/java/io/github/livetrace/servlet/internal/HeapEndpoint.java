package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileKind;
import java.util.function.Consumer;

/**
 * {@code heap?seconds=N}: a sample of live objects with the stacks that allocated them, from
 * {@code jdk.OldObjectSample}. JFR's leak profiler keeps a fixed number of sampled objects (256
 * unless {@code -XX:FlightRecorderOptions:old-object-queue-size} says otherwise), drops those a
 * garbage collection frees, and writes the rest when the recording stops. It knows only objects
 * allocated while a recording with that event ran: this profile's, or an earlier one's still
 * running (a trace with the default settings has it). Not a heap dump: no count of all objects,
 * no references; for that, {@code jcmd PID GC.heap_dump}.
 */
public final class HeapEndpoint extends RecordedProfileEndpoint {
  public HeapEndpoint(double maxSeconds, Consumer<String> log) {
    super(ProfileKind.HEAP, maxSeconds, log);
  }

  @Override
  public String description() {
    return "Live objects, sampled (jdk.OldObjectSample): up to 256 objects still live when the profile ends,"
        + " with the stacks that allocated them, among those allocated while it (or another recording with"
        + " that event) ran. Not a heap dump. &gc=1 runs a garbage collection first."
        + parametersLine();
  }
}
