// The CPU that compressing a trace costs, with the servlet's own encoders: gzip as StreamedResponse
// writes it (sync flush at every chunk) and zstd through the servlet's ZstdBody (a block flushed at
// every chunk). Compiled against the demo's jar: java -cp DEMO_JAR:. WireCpu TRACE.jfr [REPS]
// Prints per coding: bytes, ratio, median thread CPU per trace and per MB of trace.
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

class WireCpu {
  interface Coding {
    long encode(List<byte[]> chunks) throws Exception;
  }

  static final class Counting extends OutputStream {
    long n;

    @Override public void write(int b) { n++; }
    @Override public void write(byte[] b, int off, int len) { n += len; }
  }

  public static void main(String[] args) throws Exception {
    byte[] trace = Files.readAllBytes(Path.of(args[0]));
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    List<byte[]> chunks = new ArrayList<>();
    for (int off = 0; off < trace.length; ) {
      int size = (int) ByteBuffer.wrap(trace, off + 8, 8).getLong();
      chunks.add(Arrays.copyOfRange(trace, off, off + size));
      off += size;
    }
    // The servlet's class itself, not a copy of its settings.
    Class<?> zstdBody = Class.forName("io.github.livetrace.servlet.internal.ZstdBody");
    Constructor<?> open = zstdBody.getDeclaredConstructor(OutputStream.class);
    open.setAccessible(true);
    Method finish = zstdBody.getDeclaredMethod("finish");
    finish.setAccessible(true);
    Coding zstd = cs -> {
      Counting wire = new Counting();
      OutputStream z = (OutputStream) open.newInstance(wire);
      for (byte[] c : cs) {
        z.write(c);
        z.flush();
      }
      finish.invoke(z);
      return wire.n;
    };
    Coding gzip = cs -> {
      Counting wire = new Counting();
      GZIPOutputStream g = new GZIPOutputStream(wire, 8192, true);
      for (byte[] c : cs) {
        g.write(c);
        g.flush();
      }
      g.finish();
      return wire.n;
    };
    System.out.printf("%s: %,d bytes in %d chunks, Java %s%n", args[0], trace.length, chunks.size(), Runtime.version());
    run("gzip", gzip, chunks, trace.length, reps);
    run("zstd", zstd, chunks, trace.length, reps);
  }

  static void run(String name, Coding coding, List<byte[]> chunks, int size, int reps) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long bytes = 0;
    long[] cpu = new long[reps];
    for (int i = -10; i < reps; i++) { // 10 warm-up rounds
      long t0 = threads.getCurrentThreadCpuTime();
      bytes = coding.encode(chunks);
      if (i >= 0) {
        cpu[i] = threads.getCurrentThreadCpuTime() - t0;
      }
    }
    Arrays.sort(cpu);
    double ms = cpu[reps / 2] / 1e6;
    System.out.printf("%-5s %,9d bytes (%.2fx)  %6.1f ms CPU per trace  %5.1f ms per MB%n",
        name, bytes, (double) bytes / size, ms, ms / (size / 1e6));
  }
}
