package dev.keel.actors.network;

import dev.keel.actors.Confirmation;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The network records as Kryo version 1 wrote them, before pools had auxiliary addresses and endpoints their MAC,
 * IPv6 address and published ports. Kept only to read old journals: component names and types must never change.
 */
public final class NetworkShapesV1 {

    private NetworkShapesV1() {}

    public record Pool(String subnet, String ipRange, String gateway) {
        NetworkSpec.Pool current() {
            return new NetworkSpec.Pool(subnet, ipRange, gateway, Map.of());
        }
    }

    public record Ipam(String driver, List<Pool> pools, Map<String, String> options) {
        NetworkSpec.Ipam current() {
            return new NetworkSpec.Ipam(driver, pools.stream().map(Pool::current).toList(), options);
        }
    }

    public record Spec(String name, String driver, Map<String, String> options, Map<String, String> labels, Ipam ipam,
                       boolean internal, boolean attachable, boolean enableIpv6) {
        NetworkSpec current() {
            return new NetworkSpec(name, driver, options, labels, ipam.current(), internal, attachable, enableIpv6);
        }
    }

    public record Endpoint(String endpointId, String ipv4Address) {
        NetworkEntity.Endpoint current() {
            return new NetworkEntity.Endpoint(endpointId, ipv4Address, "", "", List.of());
        }
    }

    public record Create(Spec spec, ActorRef<Confirmation> replyTo) implements KryoSerializable {
        public NetworkEntity.Create current() {
            return new NetworkEntity.Create(spec.current(), replyTo);
        }
    }

    public record Created(String networkId, Spec spec, Instant at) implements KryoSerializable {
        public NetworkEntity.Created current() {
            return new NetworkEntity.Created(networkId, spec.current(), at);
        }
    }

    public record Attach(String containerId, String endpointId, String ipv4Address, ActorRef<Confirmation> replyTo)
            implements KryoSerializable {
        public NetworkEntity.Attach current() {
            return new NetworkEntity.Attach(containerId, new Endpoint(endpointId, ipv4Address).current(), replyTo);
        }
    }

    public record Attached(String networkId, String containerId, String endpointId, String ipv4Address, Instant at)
            implements KryoSerializable {
        public NetworkEntity.Attached current() {
            return new NetworkEntity.Attached(networkId, containerId, new Endpoint(endpointId, ipv4Address).current(),
                    at);
        }
    }

    public record State(String networkId, NetworkEntity.Status status, Spec spec, Map<String, Endpoint> endpoints,
                        Instant createdAt) implements KryoSerializable {
        public NetworkEntity.State current() {
            return new NetworkEntity.State(networkId, status, spec.current(),
                    endpoints.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().current())),
                    createdAt);
        }
    }
}
