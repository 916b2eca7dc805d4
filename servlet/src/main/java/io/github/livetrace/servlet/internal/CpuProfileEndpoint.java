package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.ProfileRecording;
import java.util.function.Consumer;

/**
 * {@code profile?seconds=N}: a CPU profile, as Go's. async-profiler where it loads (every thread's
 * CPU time, Java, native, JIT and GC code); else JFR's CPU samples: {@code jdk.CPUTimeSample}
 * where the JVM has it (JDK 25+ on Linux; each thread's CPU time, native code included), else
 * {@code jdk.ExecutionSample}; never {@code jdk.NativeMethodSample}, which samples threads waiting
 * in native code.
 */
public final class CpuProfileEndpoint extends RecordedProfileEndpoint {
  public CpuProfileEndpoint(double maxSeconds, AsyncProfilerEngine.Choice choice, Consumer<String> log) {
    super(ProfileKind.CPU.path(), ProfileKind.CPU, AsyncProfilerEngine.Mode.CPU, choice, maxSeconds, log);
  }

  @Override
  public String description() {
    return "CPU profile: where threads spend CPU time. Engine: "
        + AsyncProfilerEngine.describe(choice(), AsyncProfilerEngine.Mode.CPU)
        + ". JFR, where it answers, samples "
        + (ProfileRecording.cpuTimeSampling()
            ? "jdk.CPUTimeSample (each thread's CPU time, Java and native code; not the JIT compiler's and GC's threads)"
            : Runtime.version().feature() < 25
                ? "jdk.ExecutionSample (threads running Java code; time in stubs, intrinsics such as"
                    + " System.arraycopy and System.nanoTime, VM leaf calls and native code is not seen, so it can"
                    + " leave out most of the CPU time)"
                : "jdk.ExecutionSample (threads running Java code; time in native code is not seen)")
        + ", every "
        + ProfileKind.CPU_PERIOD.replace(" ", "")
        + "."
        + parametersLine();
  }
}
