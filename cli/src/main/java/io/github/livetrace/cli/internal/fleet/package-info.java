/**
 * {@code livetrace pull}: one time-aligned trace, flight-recorder window or profile from many pods,
 * through the Kubernetes API.
 *
 * <p>{@link Cluster} connects as kubectl does (kubeconfig, context, in-cluster) and chooses pods
 * as kubectl users choose them; {@link AccessReview} asks the API server, before anything is
 * pulled, whether the caller may use the transport; {@link Transport} reaches a pod's livetrace
 * endpoint through the API server's pods/proxy (streamed by the client's own authenticated HTTP
 * client) or a port-forward; {@link FleetPull} asks every pod at one instant, streams each answer
 * to its own file and gives each pod its own {@link Outcome}; {@link Manifest} writes what was
 * pulled from where.
 */
package io.github.livetrace.cli.internal.fleet;
