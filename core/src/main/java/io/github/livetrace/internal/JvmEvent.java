package io.github.livetrace.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

/**
 * Which JVM wrote a chunk: written at the beginning of every chunk of every livetrace recording,
 * so that files pulled from many pods and merged stay apart (task ids are per JVM). It holds
 * nothing that can carry a secret: no environment variable, property or argument. A JVM is known
 * by its pid and start time, which are numbers; on JDK 17 to 20 the strings of the first chunk of
 * a recording started while none ran may read as null (see {@link
 * StringPoolGuard#beforePeriodicCommit()}), so readers take them from any chunk of that JVM.
 */
@Name(EventNames.JVM)
@Label("JVM")
@Category("livetrace")
@Description("The JVM that wrote this chunk: host (in Kubernetes the pod) name, start time, pid, JDK and livetrace versions")
@StackTrace(false)
@Period("beginChunk")
public final class JvmEvent extends jdk.jfr.Event {
  @Label("Host Name")
  @Description("The kernel's host name; in Kubernetes, the pod's name")
  public String hostName;

  @Label("JVM Start Time")
  @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
  public long jvmStartTime;

  @Label("Process Id")
  public long pid;

  @Label("Java Version")
  public String javaVersion;

  @Label("livetrace Version")
  public String livetraceVersion;

  /**
   * So that a reader of a trace knows how much CPU time a {@code jdk.ExecutionSample} stands for:
   * livetrace leaves {@code jdk.ActiveSetting} (hundreds of events a chunk) out of its traces.
   */
  @Label("Execution Sample Period")
  @Description("How often jdk.ExecutionSample samples threads running Java code, when the chunk began: the shortest period of the running recordings (JFR's settings are a union); 0 when none samples")
  @jdk.jfr.Timespan(jdk.jfr.Timespan.NANOSECONDS)
  public long executionSamplePeriod;

  private static final String HOST_NAME = hostName();
  private static final long START = ManagementFactory.getRuntimeMXBean().getStartTime();
  private static final long PID = ProcessHandle.current().pid();
  private static final String JAVA_VERSION = Runtime.version().toString();
  private static final String VERSION = livetraceVersion();
  private static final Runnable HOOK = JvmEvent::emit;
  private static volatile boolean registered;

  /** Makes JFR write the event at the start of every chunk of recordings that enable it (the default). */
  static void register() {
    if (registered) {
      return;
    }
    synchronized (JvmEvent.class) {
      if (!registered) {
        jdk.jfr.FlightRecorder.addPeriodicEvent(JvmEvent.class, HOOK);
        registered = true;
      }
    }
  }

  private static void emit() {
    StringPoolGuard.beforePeriodicCommit(); // written inside a start or rotation, right after it
    JvmEvent e = new JvmEvent();
    e.hostName = HOST_NAME;
    e.jvmStartTime = START;
    e.pid = PID;
    e.javaVersion = JAVA_VERSION;
    e.livetraceVersion = VERSION;
    e.executionSamplePeriod = Math.max(0, RecordingSettings.effectivePeriod("jdk.ExecutionSample"));
    e.commit();
  }

  /** The kernel's name for the host, read without a DNS lookup where Linux offers it. */
  private static String hostName() {
    try {
      Path kernel = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(kernel)) {
        String name = Files.readString(kernel, StandardCharsets.UTF_8).strip();
        if (!name.isEmpty()) {
          return name;
        }
      }
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String livetraceVersion() {
    try (InputStream in = JvmEvent.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
