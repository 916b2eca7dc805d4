package io.github.livetrace.servlet.internal;

import io.github.livetrace.internal.pprof.ProfileKind;
import io.github.livetrace.internal.pprof.ProfileRecording;
import java.util.function.Consumer;

/**
 * {@code profile?seconds=N}: a CPU profile, as Go's. CPU samples only: {@code jdk.CPUTimeSample}
 * where the JVM has it (JDK 25+ on Linux; each thread's CPU time, native code included), else
 * {@code jdk.ExecutionSample}; never {@code jdk.NativeMethodSample}, which samples threads waiting
 * in native code.
 */
public final class CpuProfileEndpoint extends RecordedProfileEndpoint {
  public CpuProfileEndpoint(double maxSeconds, Consumer<String> log) {
    super(ProfileKind.CPU, maxSeconds, log);
  }

  @Override
  public String description() {
    return "CPU profile: where threads spend CPU time, "
        + (ProfileRecording.cpuTimeSampling()
            ? "from jdk.CPUTimeSample (each thread's CPU time, Java and native code, a sample every "
            : Runtime.version().feature() < 25
                ? "from jdk.ExecutionSample (threads running Java code; time in stubs, intrinsics such as"
                    + " System.arraycopy and System.nanoTime, VM leaf calls and native code is not seen, so it can"
                    + " leave out most of the CPU time; a sample every "
                : "from jdk.ExecutionSample (threads running Java code; time in native code is not seen, a sample every ")
        + ProfileKind.CPU_PERIOD.replace(" ", "")
        + ")."
        + parametersLine();
  }
}
