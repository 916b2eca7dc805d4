package io.github.livetrace.cli.internal.fleet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.livetrace.cli.internal.BadInputException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster as kubectl sees it: the configuration kubectl would use, and pods chosen the way
 * kubectl users choose them ({@code -n}, {@code -l}, {@code deploy/NAME}, pod names).
 */
public final class Cluster implements AutoCloseable {
  /** Container port names that serve livetrace, in the order they are preferred. */
  public static final List<String> PORT_NAMES = List.of("livetrace", "management", "http");

  private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private final KubernetesClient client;
  private final String namespace;

  private Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * Connects as kubectl would: {@code kubeconfig} when given, else {@code KUBECONFIG}, else
   * {@code ~/.kube/config}, else the pod's service account (in-cluster).
   *
   * @param context the kubeconfig context, or null for the current one
   * @param namespace {@code -n}, or null for the context's namespace (else {@code default})
   * @throws BadInputException when there is no configuration at all, or it cannot be read
   */
  public static Cluster connect(Path kubeconfig, String context, String namespace) throws BadInputException {
    Config config;
    try {
      if (kubeconfig != null) {
        if (!Files.isReadable(kubeconfig)) {
          throw new BadInputException("cannot read the kubeconfig " + kubeconfig);
        }
        config = Config.fromKubeconfig(context, kubeconfig.toFile());
      } else {
        if (!hasConfiguration()) {
          throw new BadInputException(
              "no Kubernetes configuration: set KUBECONFIG (or pass --kubeconfig), create ~/.kube/config,"
                  + " or run in a pod with a service account (in-cluster configuration)");
        }
        config = Config.autoConfigure(context);
      }
    } catch (KubernetesClientException | IllegalArgumentException e) {
      throw new BadInputException("cannot read the Kubernetes configuration: " + e.getMessage());
    }
    String ns = namespace != null ? namespace : Optional.ofNullable(config.getNamespace()).orElse("default");
    return new Cluster(new KubernetesClientBuilder().withConfig(config).build(), ns);
  }

  /** Wraps a client, for tests and callers that have one. */
  public static Cluster of(KubernetesClient client, String namespace) {
    return new Cluster(client, namespace != null ? namespace : Optional.ofNullable(client.getNamespace()).orElse("default"));
  }

  private static boolean hasConfiguration() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      for (String path : env.split(File.pathSeparator)) {
        if (!path.isBlank() && Files.isReadable(Path.of(path))) {
          return true;
        }
      }
    }
    if (Files.isReadable(Path.of(System.getProperty("user.home"), ".kube", "config"))) {
      return true;
    }
    return System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT);
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  /**
   * The pods that {@code targets} and {@code selector} name, in the order given (by name within a
   * selection), each once.
   *
   * @param targets pod names, {@code pod/NAME}, {@code deploy/NAME} ({@code deployment/}),
   *     {@code statefulset/NAME} ({@code sts/}), {@code daemonset/NAME} ({@code ds/})
   * @param selector a label selector ({@code app=shop,tier!=cache}), or null
   * @param defaultPort {@code --port}: used when no container port is named as in {@link #PORT_NAMES}; 0 for none
   * @throws BadInputException when no pod matches, naming the namespace and what was asked, or a
   *     workload does not exist
   */
  public List<Pod> pods(List<String> targets, String selector, int defaultPort) throws BadInputException {
    Map<String, io.fabric8.kubernetes.api.model.Pod> found = new LinkedHashMap<>();
    try {
      for (String target : targets) {
        int slash = target.indexOf('/');
        String kind = slash < 0 ? "pod" : target.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
        String name = slash < 0 ? target : target.substring(slash + 1);
        if (kind.equals("pod") || kind.equals("pods") || kind.equals("po")) {
          io.fabric8.kubernetes.api.model.Pod pod = client.pods().inNamespace(namespace).withName(name).get();
          if (pod == null) {
            throw new BadInputException("no pod " + name + " in namespace " + namespace);
          }
          found.putIfAbsent(pod.getMetadata().getName(), pod);
        } else {
          LabelSelector workload = workloadSelector(kind, name);
          client.pods().inNamespace(namespace).withLabelSelector(workload).list().getItems().stream()
              .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
              .forEach(p -> found.putIfAbsent(p.getMetadata().getName(), p));
        }
      }
      if (selector != null) {
        client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems().stream()
            .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
            .forEach(p -> found.putIfAbsent(p.getMetadata().getName(), p));
      }
    } catch (KubernetesClientException e) {
      throw new BadInputException("the Kubernetes API refused to list pods in namespace " + namespace + ": " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new BadInputException(
          "no pod matches in namespace "
              + namespace
              + (selector != null ? " with selector " + selector : "")
              + (targets.isEmpty() ? "" : (selector != null ? " and " : " for ") + String.join(", ", targets)));
    }
    List<Pod> pods = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Pod p : found.values()) {
      pods.add(describe(p, defaultPort));
    }
    return pods;
  }

  private LabelSelector workloadSelector(String kind, String name) throws BadInputException {
    LabelSelector selector;
    switch (kind) {
      case "deploy", "deployment", "deployments" -> {
        var d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        selector = d == null ? null : d.getSpec().getSelector();
      }
      case "statefulset", "statefulsets", "sts" -> {
        var s = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        selector = s == null ? null : s.getSpec().getSelector();
      }
      case "daemonset", "daemonsets", "ds" -> {
        var s = client.apps().daemonSets().inNamespace(namespace).withName(name).get();
        selector = s == null ? null : s.getSpec().getSelector();
      }
      default -> throw new BadInputException(
          "unknown kind '" + kind + "' in " + kind + "/" + name + "; use a pod name, pod/, deploy/, statefulset/ or daemonset/");
    }
    if (selector == null) {
      throw new BadInputException("no " + kind + " " + name + " in namespace " + namespace);
    }
    return selector;
  }

  private static Pod describe(io.fabric8.kubernetes.api.model.Pod p, int defaultPort) {
    String container = null;
    int port = 0;
    List<Container> containers = p.getSpec() == null ? List.of() : p.getSpec().getContainers();
    search:
    for (String wanted : PORT_NAMES) {
      for (Container c : containers) {
        for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          if (wanted.equals(cp.getName()) && cp.getContainerPort() != null) {
            container = c.getName();
            port = cp.getContainerPort();
            break search;
          }
        }
      }
    }
    if (port == 0 && defaultPort > 0) {
      port = defaultPort;
      container = containers.isEmpty() ? null : containers.get(0).getName();
    }
    Instant started = null;
    if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus s : p.getStatus().getContainerStatuses()) {
        if (s.getName().equals(container) && s.getState() != null && s.getState().getRunning() != null) {
          String at = s.getState().getRunning().getStartedAt();
          started = at == null ? null : Instant.parse(at);
        }
      }
    }
    return new Pod(
        p.getMetadata().getNamespace(),
        p.getMetadata().getName(),
        p.getSpec() == null ? null : p.getSpec().getNodeName(),
        container,
        p.getMetadata().getUid(),
        p.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(p.getMetadata().getLabels()),
        port,
        p.getStatus() != null && "Running".equals(p.getStatus().getPhase()),
        started);
  }

  @Override
  public void close() {
    client.close();
  }
}
