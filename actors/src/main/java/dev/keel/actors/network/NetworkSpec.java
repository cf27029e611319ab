package dev.keel.actors.network;

import java.util.List;
import java.util.Map;

/** What a Docker {@code network create} fixes for the network's life; absent strings are empty, never null. */
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

    /** One IPAM pool in CIDR notation, e.g. subnet 172.20.0.0/16, gateway 172.20.0.1; ipRange may be empty. */
    public record Pool(String subnet, String ipRange, String gateway) {}
}
