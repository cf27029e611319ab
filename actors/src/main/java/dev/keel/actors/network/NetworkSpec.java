package dev.keel.actors.network;

import java.util.List;
import java.util.Map;

/**
 * What a Docker {@code network create} fixes for the network's life; absent strings are empty, never null.
 *
 * <p>Kryo versions: v2 gave pools their auxiliary addresses; v1 is {@link NetworkShapesV1.Spec}.
 */
public record NetworkSpec(
        String name,
        String driver,
        Map<String, String> options,
        Map<String, String> labels,
        Ipam ipam,
        boolean internal,
        boolean attachable,
        boolean enableIpv6) {

    public static final NetworkSpec EMPTY = new NetworkSpec("", "", Map.of(), Map.of(), Ipam.DEFAULT, false, false, false);

    public NetworkSpec {
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
    }

    /** Address management: the driver ("default" is the built-in one) and the pools it allocates from. */
    public record Ipam(String driver, List<Pool> pools, Map<String, String> options) {

        public static final Ipam DEFAULT = new Ipam("default", List.of(), Map.of());

        public Ipam {
            pools = List.copyOf(pools);
            options = Map.copyOf(options);
        }
    }

    /**
     * One IPAM pool in CIDR notation, e.g. subnet 172.20.0.0/16, gateway 172.20.0.1; ipRange may be empty;
     * auxAddresses are reserved by name ({@code --aux-address host1=172.20.0.5}).
     */
    public record Pool(String subnet, String ipRange, String gateway, Map<String, String> auxAddresses) {
        public Pool {
            auxAddresses = Map.copyOf(auxAddresses);
        }
    }

    /** The networks every host has from its first start; users can neither create nor remove them. */
    public static final List<String> PREDEFINED = List.of("bridge", "host", "none");

    public boolean isPredefined() {
        return PREDEFINED.contains(name);
    }
}
