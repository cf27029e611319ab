package dev.keel.netplane.spi;

import java.util.List;
import java.util.Map;

/**
 * What a driver is told when a network is created (Docker's CreateNetwork request).
 *
 * @param networkId the network's 64-hex id
 * @param name the user's name for it; drivers use it only for messages and default interface names
 * @param options the {@code -o} driver options, e.g. {@code com.docker.network.bridge.name}
 * @param internal no route outside the network
 * @param enableIpv6 the network has IPv6 pools in {@code ipv6}
 * @param ipv4 the IPv4 pools with their gateways, as IPAM gave them
 * @param ipv6 the IPv6 pools, empty unless {@code enableIpv6}
 */
public record NetworkDefinition(String networkId, String name, Map<String, String> options, boolean internal,
                                boolean enableIpv6, List<AddressPool> ipv4, List<AddressPool> ipv6) {

    public NetworkDefinition {
        options = Map.copyOf(options);
        ipv4 = List.copyOf(ipv4);
        ipv6 = List.copyOf(ipv6);
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}
