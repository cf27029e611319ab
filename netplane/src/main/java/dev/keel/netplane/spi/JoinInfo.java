package dev.keel.netplane.spi;

import java.util.List;

/**
 * A driver's answer to a join (Docker's Join response).
 *
 * @param srcName the interface on the host that the daemon moves into the sandbox
 * @param dstPrefix its name inside the sandbox, without the index ("eth" becomes eth0, eth1, …)
 * @param gateway the IPv4 default gateway (plain address), empty for none
 * @param gatewayIpv6 the IPv6 default gateway, empty for none
 * @param staticRoutes further routes to set up inside the sandbox
 */
public record JoinInfo(String srcName, String dstPrefix, String gateway, String gatewayIpv6,
                       List<StaticRoute> staticRoutes) {

    public JoinInfo {
        staticRoutes = List.copyOf(staticRoutes);
    }

    /** A route inside the sandbox: via {@code nextHop}, or directly connected when it is empty. */
    public record StaticRoute(String destination, String nextHop) {}
}
