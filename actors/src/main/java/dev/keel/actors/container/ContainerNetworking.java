package dev.keel.actors.container;

import dev.keel.os.runtime.MountSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the container runtime needs from the network plane: the networks a new container names resolved, a network
 * namespace and the /etc files before each start, and all of it released after each run. Implemented by the network
 * side of the engine.
 */
public interface ContainerNetworking {

    /**
     * Resolves the networks {@code config} names (its network mode and endpoints) to the networks' ids, validating
     * them as Docker does at create ("network foo not found", a static address outside the network's pools).
     */
    CompletionStage<ContainerConfig> resolve(ContainerConfig config);

    /** Sets up the container's namespace, endpoints, DNS and /etc files; on failure nothing is left behind. */
    CompletionStage<Setup> attach(ContainerEntity.State container);

    /** Releases everything {@link #attach} set up; safe to call when nothing is attached. */
    CompletionStage<Void> detach(String containerId);

    /**
     * @param netns the network namespace to join; empty means a new, empty one
     * @param mounts the /etc/hosts, /etc/resolv.conf and /etc/hostname binds
     */
    record Setup(Optional<Path> netns, List<MountSpec> mounts) {}
}
