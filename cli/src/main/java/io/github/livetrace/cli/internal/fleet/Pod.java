package io.github.livetrace.cli.internal.fleet;

import java.time.Instant;
import java.util.Map;

/**
 * A pod chosen for the pull, with what the manifest says of it.
 *
 * @param port the container port livetrace is served on, or 0 when none could be chosen
 * @param container the container that has that port
 * @param running whether the pod is in phase Running
 * @param containerStarted when that container started, if it runs
 */
public record Pod(
    String namespace,
    String name,
    String node,
    String container,
    String uid,
    Map<String, String> labels,
    int port,
    boolean running,
    Instant containerStarted) {}
