import io.github.livetrace.servlet.PprofServlet;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * For benchmarks/profile-truth.sh: threads that each spend CPU one way (arithmetic,
 * System.arraycopy, System.nanoTime, SHA-256) and one blocked in a socket read, a PprofServlet
 * (engine from -Dlivetrace.profiler), one CPU profile of SECONDS fetched from it, written to OUT;
 * prints each thread's CPU time and the JVM's over the profile's span, scaled to SECONDS, in ms.
 *
 *   java -cp examples/target/livetrace-example.jar benchmarks/profile-truth-workload.java OUT SECONDS
 */
public class ProfileTruthWorkload {
  static volatile Object sink;
  static volatile boolean stop;
  static final byte[] SOURCE = new byte[1 << 16];

  // Each kind in a method of its name, which the script looks for in the profile.
  static void arithmetic() { long x = 0; for (int i = 0; i < 5_000_000; i++) { x = x * 31 + i; } sink = x; }

  static void arraycopy() { byte[] t = new byte[SOURCE.length]; for (int i = 0; i < 2_000; i++) { System.arraycopy(SOURCE, 0, t, 0, t.length); } sink = t; }

  static void nanoTime() { long x = 0; for (int i = 0; i < 200_000; i++) { x += System.nanoTime(); } sink = x; }

  static void sha256() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < 100; i++) { d.update(SOURCE); }
      sink = d.digest();
    } catch (Exception e) { throw new IllegalStateException(e); }
  }

  static void blockedRead(Socket socket) { try { socket.getInputStream().read(); } catch (Exception e) { } }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    Map<String, Runnable> kinds = new LinkedHashMap<>();
    kinds.put("arithmetic", ProfileTruthWorkload::arithmetic);
    kinds.put("arraycopy", ProfileTruthWorkload::arraycopy);
    kinds.put("nanoTime", ProfileTruthWorkload::nanoTime);
    kinds.put("sha256", ProfileTruthWorkload::sha256);
    Map<String, Thread> threads = new LinkedHashMap<>();
    kinds.forEach((name, body) -> {
      Thread t = new Thread(() -> { while (!stop) { body.run(); } }, name);
      t.setDaemon(true);
      threads.put(name, t);
      t.start();
    });
    ServerSocket quiet = new ServerSocket(0);
    Socket client = new Socket(InetAddress.getLoopbackAddress(), quiet.getLocalPort());
    Socket accepted = quiet.accept();
    Thread reader = new Thread(() -> blockedRead(accepted), "blocked-read");
    reader.setDaemon(true);
    reader.start();

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(PprofServlet.builder().build()), "/debug/pprof/*");
    server.setHandler(context);
    server.start();
    String base = "http://127.0.0.1:" + connector.getLocalPort() + "/debug/pprof/";
    HttpClient http = HttpClient.newHttpClient();
    // The first profile loads the engine; the measured one comes after it and after JIT warm-up.
    http.send(HttpRequest.newBuilder(URI.create(base + "profile?seconds=2")).build(), HttpResponse.BodyHandlers.discarding());

    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "profile?seconds=" + seconds)).build(), HttpResponse.BodyHandlers.ofInputStream());
    Map<String, Long> before = new LinkedHashMap<>();
    threads.forEach((name, t) -> before.put(name, mx.getThreadCpuTime(t.getId())));
    long processBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    try (InputStream in = r.body()) {
      Files.write(out, in.readAllBytes());
    }
    double scale = seconds * 1e9 / (System.nanoTime() - wallBefore) / 1e6; // ns over the span -> ms over SECONDS
    System.out.println("engine " + r.headers().firstValue("X-Livetrace-Profile-Engine").orElse("?"));
    threads.forEach((name, t) -> System.out.printf("thread %s %.0f%n", name, (mx.getThreadCpuTime(t.getId()) - before.get(name)) * scale));
    System.out.printf("jvm %.0f%n", (os.getProcessCpuTime() - processBefore) * scale);
    stop = true;
    server.stop();
    client.close();
    accepted.close();
    quiet.close();
  }
}
