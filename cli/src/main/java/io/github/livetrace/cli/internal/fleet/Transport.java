package io.github.livetrace.cli.internal.fleet;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a request reaches a pod's livetrace endpoint.
 *
 * <ul>
 *   <li>{@link Via#PROXY}: the API server's pods/proxy subresource ({@code
 *       /api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH}), sent through the Kubernetes client's own
 *       authenticated HTTP client and streamed: the API server flushes as the pod writes. It
 *       authenticates the caller with {@code Authorization} and removes that header, so the
 *       endpoint's token travels in {@code X-Livetrace-Token}.
 *   <li>{@link Via#PORT_FORWARD}: a port-forward through the kubelet (for clusters whose control
 *       plane cannot reach pod IPs), then plain HTTP to it on loopback.
 * </ul>
 */
public abstract class Transport {
  /** The header the servlet reads the token from when {@code Authorization} is not its own. */
  public static final String TOKEN_HEADER = "X-Livetrace-Token";

  /** The transports {@code --via} names. */
  public enum Via {
    PROXY,
    PORT_FORWARD
  }

  /** An answer whose body is read as it arrives; close it to release the connection. */
  public interface Answer extends AutoCloseable {
    int status();

    /** A header's value, or null. */
    String header(String name);

    InputStream body();

    @Override
    void close();
  }

  /** How long to wait for the status line: the endpoint sends it as soon as the recording runs. */
  static final Duration CONNECT = Duration.ofSeconds(30);

  final KubernetesClient client;
  final String basePath;
  final String token;

  Transport(KubernetesClient client, String basePath, String token) {
    this.client = client;
    this.basePath = basePath.replaceAll("/+$", "");
    this.token = token;
  }

  public static Transport of(Via via, KubernetesClient client, String basePath, String token) {
    return via == Via.PROXY ? new Proxy(client, basePath, token) : new PortForward(client, basePath, token);
  }

  /**
   * GETs {@code path} (below the base path, with its query) of {@code pod}.
   *
   * @param accept the {@code Accept} header, or null
   */
  public abstract Answer get(Pod pod, String path, String accept) throws IOException;

  abstract Answer request(Pod pod, String path, String accept, String method) throws IOException;

  /** The API server's pods/proxy. */
  private static final class Proxy extends Transport {
    private final HttpClient http;

    Proxy(KubernetesClient client, String basePath, String token) {
      super(client, basePath, token);
      this.http = client.getHttpClient();
    }

    @Override
    public Answer get(Pod pod, String path, String accept) throws IOException {
      return request(pod, path, accept, "GET");
    }

    @Override
    Answer request(Pod pod, String path, String accept, String method) throws IOException {
      String master = client.getMasterUrl().toString().replaceAll("/+$", "");
      URI uri =
          URI.create(
              master
                  + "/api/v1/namespaces/"
                  + encode(pod.namespace())
                  + "/pods/"
                  + encode(pod.name())
                  + ":"
                  + pod.port()
                  + "/proxy"
                  + basePath
                  + "/"
                  + path);
      HttpRequest.Builder request = http.newHttpRequestBuilder().uri(uri).forStreaming();
      if (token != null) {
        request.header(TOKEN_HEADER, token);
      }
      if (accept != null) {
        request.header("Accept", accept);
      }
      BoundedBody body = new BoundedBody();
      HttpResponse<AsyncBody> response;
      try {
        response = http.consumeBytes(request.build(), body).get(CONNECT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
      } catch (TimeoutException e) {
        throw new IOException("no answer within " + CONNECT.toSeconds() + " s");
      }
      body.start(response.body());
      return new Answer() {
        @Override
        public int status() {
          return response.code();
        }

        @Override
        public String header(String name) {
          return response.header(name);
        }

        @Override
        public InputStream body() {
          return body;
        }

        @Override
        public void close() {
          body.close();
        }
      };
    }
  }

  /** A port-forward per request, closed with the answer. */
  private static final class PortForward extends Transport {
    private final java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder().connectTimeout(CONNECT).version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    PortForward(KubernetesClient client, String basePath, String token) {
      super(client, basePath, token);
    }

    @Override
    public Answer get(Pod pod, String path, String accept) throws IOException {
      return request(pod, path, accept, "GET");
    }

    @Override
    Answer request(Pod pod, String path, String accept, String method) throws IOException {
      LocalPortForward forward = client.pods().inNamespace(pod.namespace()).withName(pod.name()).portForward(pod.port());
      try {
        java.net.http.HttpRequest.Builder request =
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + forward.getLocalPort() + basePath + "/" + path));
        if (token != null) {
          request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
          request.header("Accept", accept);
        }
        java.net.http.HttpResponse<InputStream> response =
            http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        InputStream body =
            new FilterInputStream(response.body()) {
              @Override
              public void close() throws IOException {
                try {
                  super.close();
                } finally {
                  forward.close();
                }
              }
            };
        return new Answer() {
          @Override
          public int status() {
            return response.statusCode();
          }

          @Override
          public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
          }

          @Override
          public InputStream body() {
            return body;
          }

          @Override
          public void close() {
            try {
              body.close();
            } catch (IOException e) {
              // released either way
            }
          }
        };
      } catch (InterruptedException e) {
        forward.close();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } catch (IOException | RuntimeException e) {
        forward.close();
        throw e;
      }
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }

  /** A query string from name-value pairs. */
  static String query(Map<String, String> params) {
    StringBuilder q = new StringBuilder();
    params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(encode(k)).append('=').append(encode(v)));
    return q.toString();
  }
}
