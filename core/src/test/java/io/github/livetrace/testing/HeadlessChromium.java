package io.github.livetrace.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for pages that draw with scripts: Debian's {@code chromium}, headless (CI
 * installs it), driven over the DevTools protocol: open a page, wait until it has loaded, and
 * evaluate JavaScript in it. Runs as root, with a fresh profile directory, and talks to nothing
 * but the page it is given.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Pattern WS_URL = Pattern.compile("\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"");

  private final Process process;
  private final Path profileDir;
  private final String devtools; // http://127.0.0.1:PORT
  private final HttpClient http = HttpClient.newHttpClient();

  private HeadlessChromium(Process process, Path profileDir, String devtools) {
    this.process = process;
    this.profileDir = profileDir;
    this.devtools = devtools;
  }

  /** Starts chromium; fails the test with the way to install it when it is missing. */
  public static HeadlessChromium start() throws IOException {
    Path profileDir = Files.createTempDirectory("livetrace-chromium-");
    List<String> command =
        List.of(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "--window-size=1200,800",
            "--user-data-dir=" + profileDir,
            "about:blank");
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("chromium is needed (Debian: apt-get install chromium): " + e, e);
    }
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = out.readLine()) != null; ) {
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    endpoint.complete(m.group(1));
                  } else if (!endpoint.isDone()) {
                    seen.append(line).append('\n');
                  }
                }
                endpoint.completeExceptionally(new IOException("chromium ended without DevTools:\n" + seen));
              } catch (IOException e) {
                endpoint.completeExceptionally(e);
              }
            },
            "chromium-output");
    reader.setDaemon(true);
    reader.start();
    try {
      URI ws = URI.create(endpoint.get(60, TimeUnit.SECONDS));
      return new HeadlessChromium(process, profileDir, "http://" + ws.getHost() + ":" + ws.getPort());
    } catch (Exception e) {
      process.destroyForcibly();
      deleteTree(profileDir);
      throw new AssertionError("chromium did not start its DevTools endpoint", e);
    }
  }

  /** Opens {@code url} in a new tab and waits until it has loaded. */
  public Page open(URI url) throws Exception {
    HttpResponse<String> target =
        http.send(
            HttpRequest.newBuilder(URI.create(devtools + "/json/new?" + URLEncoder.encode(url.toString(), StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = WS_URL.matcher(target.body());
    assertTrue(m.find(), "no tab: " + target.body());
    Page page = new Page(http, URI.create(m.group(1)));
    // A new tab is about:blank, complete at once, until the page's first bytes arrive.
    String loaded = "String(location.href === " + jsonString(url.toString()) + " && document.readyState === 'complete')";
    assertTrue(TraceFiles.eventually(60, () -> "true".equals(page.evaluateQuietly(loaded))), "the page did not load: " + url);
    return page;
  }

  @Override
  public void close() {
    // Chromium's helper processes (network service, renderers) write to the profile directory
    // while they shut down, after the browser process is gone: wait for them too, or the
    // directory is left in the temp directory.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
      for (ProcessHandle helper : helpers) {
        try {
          helper.onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          helper.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    TraceFiles.eventually(20, () -> {
      deleteTree(profileDir);
      return !Files.exists(profileDir);
    });
  }

  /** A tab: evaluates expressions whose value is a string. */
  public static final class Page {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();

    Page(HttpClient http, URI ws) {
      this.socket =
          http.newWebSocketBuilder()
              .buildAsync(
                  ws,
                  new WebSocket.Listener() {
                    private final StringBuilder message = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                      message.append(data);
                      if (last) {
                        String text = message.toString();
                        message.setLength(0);
                        Matcher id = Pattern.compile("^\\{\"id\":(\\d+),").matcher(text);
                        if (id.find()) {
                          CompletableFuture<String> f = pending.remove(Integer.parseInt(id.group(1)));
                          if (f != null) {
                            f.complete(text);
                          }
                        }
                      }
                      webSocket.request(1);
                      return null;
                    }
                  })
              .join();
    }

    /**
     * Evaluates {@code expression} (awaiting a promise) and returns its value, which must be a
     * string; fails on an exception in the page.
     */
    public String evaluate(String expression) {
      int id = ids.incrementAndGet();
      CompletableFuture<String> reply = new CompletableFuture<>();
      pending.put(id, reply);
      String params = "{\"expression\":" + jsonString(expression) + ",\"returnByValue\":true,\"awaitPromise\":true}";
      socket.sendText("{\"id\":" + id + ",\"method\":\"Runtime.evaluate\",\"params\":" + params + "}", true).join();
      String text;
      try {
        text = reply.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no answer from chromium to " + expression, e);
      }
      Matcher value = Pattern.compile("\"result\":\\{\"type\":\"string\",\"value\":(\"(?:[^\"\\\\]|\\\\.)*\")").matcher(text);
      assertTrue(value.find() && !text.contains("\"exceptionDetails\""), "evaluating " + expression + " gave " + text);
      return parseJsonString(value.group(1));
    }

    private String evaluateQuietly(String expression) {
      try {
        return evaluate(expression);
      } catch (AssertionError e) {
        return null;
      }
    }
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String parseJsonString(String quoted) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < quoted.length() - 1; i++) {
      char c = quoted.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = quoted.charAt(++i);
      switch (e) {
        case 'n':
          b.append('\n');
          break;
        case 't':
          b.append('\t');
          break;
        case 'r':
          b.append('\r');
          break;
        case 'u':
          b.append((char) Integer.parseInt(quoted.substring(i + 1, i + 5), 16));
          i += 4;
          break;
        default:
          b.append(e);
      }
    }
    return b.toString();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a file that a helper process removed meanwhile; the caller looks again
    }
  }
}
