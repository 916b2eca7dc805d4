// Where the first trace of a fresh JVM spends its time, step by step, with livetrace's settings:
// JFR's initialization, the first recording's start (which registers and instruments the event
// classes, the JDK's I/O events among them), the first rotation and chunk read, then the same
// steps again in the same JVM. Run it in a fresh JVM each time:
//   java -cp core/target/classes benchmarks/first-start-breakdown.java
import io.github.livetrace.internal.ChunkReader;
import io.github.livetrace.internal.RecordingSettings;
import java.util.Map;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

class FirstStartBreakdown {
  public static void main(String[] args) throws Exception {
    for (int round = 1; round <= 2; round++) {
      long t0 = System.nanoTime();
      FlightRecorder.getFlightRecorder();
      long t1 = System.nanoTime();
      Map<String, String> settings = RecordingSettings.build("default", Map.of());
      long t2 = System.nanoTime();
      Recording recording = new Recording(settings);
      recording.setToDisk(true);
      recording.start();
      long t3 = System.nanoTime();
      try (Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot()) {
        new ChunkReader().scan(snapshot, 0, RecordingSettings.sensitiveEventTypeIds());
      }
      long t4 = System.nanoTime();
      recording.close();
      long t5 = System.nanoTime();
      System.out.printf(
          "round %d: init %.0f ms, settings %.0f ms, start %.0f ms, rotate+read %.0f ms, close %.0f ms, total %.0f ms%n",
          round, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6, (t5 - t0) / 1e6);
    }
  }
}
