package io.github.livetrace.cli.internal.fleet;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the API server, before anything is pulled, whether the caller may use the transport in a
 * namespace: one {@code SelfSubjectAccessReview} per verb, as {@code kubectl auth can-i} does.
 * The caller's own RBAC decides, not a shared service account.
 */
public final class AccessReview {
  /** A verb on a resource and subresource, as RBAC names them. */
  public record Permission(String verb, String resource, String subresource) {
    @Override
    public String toString() {
      return verb + " " + resource + "/" + subresource;
    }
  }

  private AccessReview() {}

  /** What {@code via} needs: {@code get pods/proxy}; or {@code get} and {@code create pods/portforward}. */
  public static List<Permission> needed(Transport.Via via) {
    return via == Transport.Via.PROXY
        ? List.of(new Permission("get", "pods", "proxy"))
        : List.of(new Permission("get", "pods", "portforward"), new Permission("create", "pods", "portforward"));
  }

  /**
   * The permissions of {@code needed} that the caller lacks in {@code namespace}, each as a line
   * that names the verb, resource and namespace; empty when all are allowed. A review the API
   * server cannot answer is not a denial: the pull then finds out pod by pod.
   */
  public static List<String> missing(KubernetesClient client, String namespace, List<Permission> needed) {
    List<String> missing = new ArrayList<>();
    for (Permission p : needed) {
      SelfSubjectAccessReview review =
          new SelfSubjectAccessReviewBuilder()
              .withNewSpec()
              .withNewResourceAttributes()
              .withNamespace(namespace)
              .withVerb(p.verb())
              .withResource(p.resource())
              .withSubresource(p.subresource())
              .endResourceAttributes()
              .endSpec()
              .build();
      try {
        SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
        if (answer.getStatus() != null && Boolean.FALSE.equals(answer.getStatus().getAllowed())) {
          String reason = answer.getStatus().getReason();
          missing.add(
              "not allowed to "
                  + p.verb()
                  + " "
                  + p.resource()
                  + "/"
                  + p.subresource()
                  + " in namespace "
                  + namespace
                  + (reason == null || reason.isBlank() ? "" : " (" + reason + ")"));
        }
      } catch (KubernetesClientException e) {
        // No answer is no denial: the pods' own answers will say.
      }
    }
    return missing;
  }
}
