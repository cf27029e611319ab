package dev.keel.actors.network;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Docker's network verbs on this host: what the Engine API asks, recorded by the {@link NetworkEntity} and carried out
 * by the network's driver and IPAM.
 *
 * <p>{@code ref} names a network by its full id, its name, or a unique prefix of its id. Every future fails with a
 * {@link dev.keel.actors.EngineFailure} when the request is refused, in Docker's words and kinds.
 */
public interface Networks {

    /**
     * A {@code network create}: {@code spec}'s pools may leave the subnet empty (IPAM chooses) and the gateway empty
     * (the pool's first address).
     */
    CompletionStage<Network> create(NetworkSpec spec);

    CompletionStage<Network> inspect(String ref);

    /** Every network, the predefined ones (bridge, host, none) first. */
    CompletionStage<List<Network>> list();

    CompletionStage<Void> remove(String ref);

    /** Connects a container, live when it runs ({@code docker network connect}). */
    CompletionStage<Void> connect(String ref, String container, List<String> aliases, String ipv4Address);

    CompletionStage<Void> disconnect(String ref, String container, boolean force);

    /** The endpoints a container has while it runs, keyed by network id. */
    Map<String, ContainerEndpoint> endpointsOf(String containerId);

    /** The name of the network {@code networkId}, empty when it no longer exists. */
    String nameOf(String networkId);

    /** The path of the container's network namespace (Docker's SandboxKey), empty when it has none of its own. */
    String sandboxKey(String containerId);

    /**
     * A network as clients see it: its recorded state, the pools as IPAM gave them, and the names of the containers
     * attached (keyed by container id).
     */
    record Network(NetworkEntity.State state, Map<String, String> containerNames) {
        public String id() {
            return state.networkId();
        }

        public String name() {
            return state.spec().name();
        }
    }

    /** One of a running container's endpoints, with what inspect shows of its network. */
    record ContainerEndpoint(String networkId, String networkName, NetworkEntity.Endpoint endpoint, String gateway,
                             List<String> aliases) {}
}
