package io.github.livetrace.cli;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Kubernetes API server for the pull's tests: fabric8's mock API server (CRUD: pods, labels,
 * deployments; expectations: access reviews that allow or deny), behind a front that serves the
 * pods/proxy subresource the way kube-apiserver does: it strips {@code Authorization} (the API
 * server keeps it for itself), dials the pod's port (here on loopback, the port number in the pod's
 * spec), and streams the answer as it comes. A pod name in {@link #forbidden} gets the 403 Status
 * RBAC would give; a port nobody listens on gets the 503 Status of an unreachable pod.
 */
final class FakeApiServer implements AutoCloseable {
  private static final Pattern PROXY = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/:]+):(\\d+)/proxy(/.*)");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final KubernetesMockServer mock;
  final KubernetesClient client;
  private final Server front;
  private final ServerConnector connector;
  /** Pod names whose pods/proxy RBAC refuses. */
  final Set<String> forbidden = ConcurrentHashMap.newKeySet();
  /** Subresources the access review denies: "proxy", "portforward". */
  final Set<String> deniedSubresources = ConcurrentHashMap.newKeySet();
  /** When each proxied GET arrived here (System.nanoTime): the CLI's own spread, for the benchmark. */
  final List<Long> proxyArrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Headers that reached the pods, by pod name, as the last proxied request had them. */
  final Map<String, Map<String, String>> proxiedHeaders = new ConcurrentHashMap<>();

  FakeApiServer() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    mock = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    mock.init(InetAddress.getLoopbackAddress(), 0);
    mock.expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        .andReply(201, request -> review(request.getUtf8Body()))
        .always();
    client = mock.createClient();
    front = new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(400, 120)); // threads ready: a burst of requests at one instant waits for none
    connector = new ServerConnector(front);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    front.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new Front()), "/*");
    front.setHandler(context);
    front.start();
  }

  /** The answer of an access review: the request's attributes with {@code allowed} as configured. */
  private String review(String body) {
    boolean denied = deniedSubresources.stream().anyMatch(s -> body.contains("\"subresource\":\"" + s + "\""));
    String attributes = body.substring(body.indexOf("\"spec\""), body.lastIndexOf('}'));
    return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\"," + attributes
        + ",\"status\":{\"allowed\":" + !denied + (denied ? ",\"reason\":\"RBAC: no rule allows it\"" : "") + "}}";
  }

  /** A kubeconfig that points kubectl, and the CLI, at this server. */
  Path kubeconfig(Path dir) throws IOException {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: fake",
            "  cluster:",
            "    server: http://127.0.0.1:" + connector.getLocalPort(),
            "contexts:",
            "- name: fake",
            "  context:",
            "    cluster: fake",
            "    user: tester",
            "    namespace: shop",
            "current-context: fake",
            "users:",
            "- name: tester",
            "  user:",
            "    token: the-api-servers-own-token",
            ""));
    return file;
  }

  /** A running pod of the {@code app} label whose container serves livetrace on {@code port}, named {@code portName}. */
  void pod(String namespace, String name, String app, int port, String portName) {
    pod(namespace, name, app, port, portName, "Running");
  }

  void pod(String namespace, String name, String app, int port, String portName, String phase) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata().withNamespace(namespace).withName(name).withUid("uid-" + name).addToLabels("app", app).endMetadata()
            .withNewSpec()
            .withNodeName("node-1")
            .addNewContainer()
            .withName("shop")
            .withPorts(new ContainerPortBuilder().withName(portName).withContainerPort(port).build())
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .addNewContainerStatus().withName("shop").withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().endContainerStatus()
            .endStatus()
            .build();
    client.pods().inNamespace(namespace).resource(pod).create();
  }

  void deployment(String namespace, String name, String app) {
    client.apps().deployments().inNamespace(namespace).resource(
            new DeploymentBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec()
                .withNewSelector().addToMatchLabels("app", app).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec().endSpec().endTemplate()
                .endSpec()
                .build())
        .create();
  }

  @Override
  public void close() throws Exception {
    front.stop();
    client.close();
    mock.destroy();
  }

  /** pods/proxy as kube-apiserver serves it; everything else to the mock API server. */
  private final class Front extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Matcher m = PROXY.matcher(req.getRequestURI());
      if (m.matches() && (req.getMethod().equals("GET") || req.getMethod().equals("HEAD"))) {
        if (req.getMethod().equals("GET") && m.group(4).endsWith("/trace")) {
          proxyArrivals.add(System.nanoTime());
        }
        proxy(m.group(2), Integer.parseInt(m.group(3)), m.group(4), req, resp);
      } else {
        forward(req, resp);
      }
    }

    private void proxy(String pod, int port, String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (forbidden.contains(pod)) {
        status(resp, 403, "Forbidden", "pods \"" + pod + "\" is forbidden: User \"tester\" cannot get resource \"pods/proxy\" in API group \"\"");
        return;
      }
      HttpRequest.Builder upstream =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + (req.getQueryString() == null ? "" : "?" + req.getQueryString())))
              .method(req.getMethod(), HttpRequest.BodyPublishers.noBody());
      Map<String, String> reached = new HashMap<>();
      for (String name : List.of("Accept", "X-Livetrace-Token", "Accept-Encoding")) {
        String v = req.getHeader(name);
        if (v != null) {
          upstream.header(name, v);
          reached.put(name, v);
        }
      }
      if (req.getHeader("Authorization") != null) {
        reached.put("Authorization (removed)", "yes");
      }
      proxiedHeaders.put(pod, reached);
      HttpResponse<InputStream> answer;
      try {
        answer = HTTP.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        status(resp, 503, "ServiceUnavailable", "error trying to reach service: dial tcp 127.0.0.1:" + port + ": connect: connection refused");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      resp.setStatus(answer.statusCode());
      for (String name : List.of("Content-Type", "Retry-After", "Content-Encoding", "Content-Disposition")) {
        answer.headers().firstValue(name).ifPresent(v -> resp.setHeader(name, v));
      }
      resp.flushBuffer();
      try (InputStream in = answer.body()) {
        OutputStream out = resp.getOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush(); // as the API server does: the answer streams
        }
      }
      // An upstream answer that ended early throws above, and the container aborts this one too.
    }

    private void forward(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = req.getInputStream().readAllBytes();
      HttpRequest.Builder upstream =
          HttpRequest.newBuilder(URI.create(mock.url(req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString()))))
              .method(req.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      if (req.getContentType() != null) {
        upstream.header("Content-Type", req.getContentType());
      }
      try {
        HttpResponse<byte[]> answer = HTTP.send(upstream.build(), HttpResponse.BodyHandlers.ofByteArray());
        resp.setStatus(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(resp::setContentType);
        resp.getOutputStream().write(answer.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    private void status(HttpServletResponse resp, int code, String reason, String message) throws IOException {
      resp.setStatus(code);
      resp.setContentType("application/json");
      resp.getOutputStream().write(
          ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                  + message.replace("\"", "\\\"")
                  + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
  }
}
