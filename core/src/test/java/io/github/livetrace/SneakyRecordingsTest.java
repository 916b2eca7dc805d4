package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.containsInAnyEncoding;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.TraceFiles;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other recordings that come and go between two rotations, as an agent or an operator's {@code
 * JFR.start} + {@code JFR.stop} do: their chunk-begin and chunk-end events (environment, system
 * properties, JVM arguments, host processes) land in livetrace's chunks. Whatever put them there,
 * not one byte of such an event may reach the output. A child JVM with planted secrets runs many
 * traces; in each, another recording sneaks in at a random point for 50 to 900 ms, in one of three
 * ways: a {@code Recording} of the JDK's default configuration, the {@code JFR.start}/{@code
 * JFR.stop} diagnostic commands that jcmd and JDK Mission Control run, and a running harmless
 * recording whose settings are changed in place (no state change for a listener to see: only the
 * chunk check catches it). Every byte of every output is searched, and {@code jfr print} of it.
 */
class SneakyRecordingsTest {
  private static final int TRACES = 15;

  private final String envSecret = "env-" + UUID.randomUUID();
  private final String propertySecret = "prop-" + UUID.randomUUID();
  private final String argumentSecret = "arg-" + UUID.randomUUID();

  @Test
  void noByteOfASensitiveEventFromAShortOtherRecordingIsEverSent(@TempDir Path dir) throws Exception {
    long seed = new Random().nextLong();
    ChildJvm.Result result =
        ChildJvm.run(
            List.of("-Dplanted.password=" + propertySecret),
            Map.of("PLANTED_API_KEY", envSecret),
            Sneaker.class,
            dir.toString(),
            Long.toString(seed),
            "--token=" + argumentSecret);
    assertEquals(0, result.exitCode(), result.output());

    Matcher line = Pattern.compile("trace (\\d+) (\\w+) sneak=(\\d+)ms reason=(\\w+) chunks=(\\d+) message=(.*)").matcher(result.output());
    int traces = 0;
    int sent = 0;
    while (line.find()) {
      traces++;
      String context = "seed " + seed + ", " + line.group();
      assertEquals("SENSITIVE_EVENTS", line.group(4), context);
      if (line.group(2).equals("settingsChanged")) {
        assertTrue(line.group(6).contains("into its chunks"), "only the chunk check can see this one: " + context);
      }
      byte[] trace = Files.readAllBytes(dir.resolve("trace-" + line.group(1) + ".jfr"));
      for (String secret : List.of(envSecret, propertySecret, argumentSecret)) {
        assertFalse(containsInAnyEncoding(trace, secret), "secret in the bytes of " + context);
      }
      if (trace.length > 0) {
        sent++;
        assertEquals(Integer.parseInt(line.group(5)), TraceFiles.chunks(trace).size(), context);
        String printed = jfr(trace, "print");
        assertTrue(printed.contains("livetrace.Log"), context);
        for (String secret : List.of(envSecret, propertySecret, argumentSecret)) {
          assertFalse(printed.contains(secret), "secret in jfr print of " + context);
        }
        for (String event : TraceOptions.sensitiveEvents()) {
          assertFalse(printed.contains(event), event + " in " + context);
        }
      }
    }
    assertEquals(TRACES, traces, result.output());
    assertTrue(sent > 0, "no trace sent a chunk before its sneak, so the search saw nothing:\n" + result.output());
  }

  /**
   * A recording with secret-bearing events that starts while a chunk is being written ends the
   * trace, and the chunk being written (checked whole before its first byte) is finished: the
   * output ends with whole chunks, as a file must. Found by the test above, whose random sneak once
   * fell inside a copy and left 64 KB of a 117 KB chunk.
   */
  @Test
  void theChunkBeingWrittenWhenAnotherRecordingEndsTheTraceIsFinished() throws Exception {
    Trace.warmUp().get(120, java.util.concurrent.TimeUnit.SECONDS);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.util.concurrent.CountDownLatch inChunk = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.io.OutputStream out =
        new java.io.OutputStream() {
          @Override
          public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws java.io.IOException {
            synchronized (bytes) {
              bytes.write(b, off, len);
            }
            if (inChunk.getCount() > 0) {
              inChunk.countDown(); // the first write: the chunk's header; its body follows
              try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
            }
          }
        };
    TraceSession session = Trace.start(out, TraceOptions.defaults().withDuration(java.time.Duration.ofSeconds(30)));
    try (jdk.jfr.Recording leaky = new jdk.jfr.Recording()) {
      assertTrue(inChunk.await(60, java.util.concurrent.TimeUnit.SECONDS), "no chunk was written");
      leaky.enable("jdk.InitialEnvironmentVariable");
      leaky.start(); // ends the trace while its writer is inside a chunk
      assertEquals(TraceFailure.Reason.SENSITIVE_EVENTS, session.failure().orElseThrow().reason());
      // The trace's end comes first, while the output still holds the writer: it must wait for the
      // writer to finish the chunk, not interrupt it (an interrupt cut this chunk at its header).
      assertTrue(
          TraceFiles.eventually(60, () -> endWaitsForTheWriter() || inChunk.getCount() == 0 && !writerInOutput()),
          "the trace's end neither waited for the writer nor let it go");
      release.countDown();
      assertTrue(session.awaitTermination(java.time.Duration.ofSeconds(60)));
      leaky.stop();
    }
    byte[] trace;
    synchronized (bytes) {
      trace = bytes.toByteArray();
    }
    assertEquals(1, TraceFiles.chunks(trace).size(), "one whole chunk, " + trace.length + " bytes");
    assertFalse(jfr(trace, "print").contains("jdk.InitialEnvironmentVariable"), "an environment variable was sent");
  }

  /** Whether livetrace's recorder thread is ending the trace and waiting for its writer. */
  private static boolean endWaitsForTheWriter() {
    return Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(t -> t.getKey().getName().equals("livetrace-recorder")
            && java.util.Arrays.stream(t.getValue()).anyMatch(f -> f.getMethodName().equals("join"))
            && java.util.Arrays.stream(t.getValue()).anyMatch(f -> f.getClassName().endsWith("ChunkPump") && f.getMethodName().equals("end")));
  }

  /** Whether livetrace's writer thread is still inside this test's output. */
  private static boolean writerInOutput() {
    return Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(t -> t.getKey().getName().equals("livetrace-writer")
            && java.util.Arrays.stream(t.getValue()).anyMatch(f -> f.getClassName().startsWith(SneakyRecordingsTest.class.getName())));
  }

  /**
   * Runs {@value #TRACES} traces into args[0]/trace-N.jfr, each with a sneaking recording, and
   * prints how each ended. The sleeps place the sneaks at random points: they are the scenario,
   * not synchronisation.
   */
  public static final class Sneaker {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      Random random = new Random(Long.parseLong(args[1]));
      Map<String, String> jdkDefault = Configuration.getConfiguration("default").getSettings();
      Thread logger =
          new Thread(
              () -> {
                while (true) {
                  Trace.log("sneaky-test-category", "a message long enough to be pooled");
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      logger.setDaemon(true);
      logger.start();
      String[] modes = {"recording", "diagnosticCommand", "settingsChanged"};
      for (int i = 0; i < TRACES; i++) {
        String mode = modes[i % modes.length];
        Recording harmless = null;
        if (mode.equals("settingsChanged")) {
          harmless = new Recording(Map.of("jdk.ThreadSleep#enabled", "true"));
          harmless.start();
        }
        Path file = dir.resolve("trace-" + i + ".jfr");
        TraceSession session;
        // A changed setting shows only at a rotation (200 ms apart): long enough to span two.
        long sneakMillis = mode.equals("settingsChanged") ? 450 + random.nextInt(451) : 50 + random.nextInt(851);
        try (OutputStream out = Files.newOutputStream(file)) {
          session =
              Trace.start(
                  out,
                  TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200)).withDuration(Duration.ofMillis(1500)));
          Thread.sleep(random.nextInt(900));
          switch (mode) {
            case "recording":
              try (Recording sneak = new Recording(jdkDefault)) {
                sneak.start();
                Thread.sleep(sneakMillis);
                sneak.stop();
              }
              break;
            case "diagnosticCommand":
              jcmd("jfrStart", "name=sneak");
              Thread.sleep(sneakMillis);
              jcmd("jfrStop", "name=sneak");
              break;
            default:
              harmless.setSettings(jdkDefault);
              Thread.sleep(sneakMillis);
              harmless.close();
          }
          if (!session.awaitTermination(Duration.ofSeconds(60))) {
            throw new AssertionError("trace " + i + " did not end");
          }
        }
        System.out.println(
            "trace " + i + " " + mode + " sneak=" + sneakMillis + "ms reason="
                + session.failure().map(f -> f.reason().name()).orElse("none")
                + " chunks=" + session.chunksWritten()
                + " message=" + session.failure().map(Throwable::getMessage).orElse(""));
      }
    }

    /** The diagnostic command, as jcmd and JDK Mission Control run it. */
    private static void jcmd(String operation, String... arguments) throws Exception {
      ManagementFactory.getPlatformMBeanServer()
          .invoke(
              new ObjectName("com.sun.management:type=DiagnosticCommand"),
              operation,
              new Object[] {arguments},
              new String[] {String[].class.getName()});
    }
  }
}
