package dev.keel.actors.container;

import java.util.List;

/**
 * The container's wish to be on a network (NetworkingConfig.EndpointsConfig, {@code docker network connect}); the
 * endpoint itself exists while the container runs and is the Network entity's.
 *
 * @param networkId the network's full id
 * @param aliases extra names other containers on the network resolve to this one
 * @param ipv4Address a static address ({@code --ip}), empty for one from IPAM
 * @param ipv6Address a static IPv6 address ({@code --ip6}), empty for one from IPAM
 */
public record NetworkAttachment(String networkId, List<String> aliases, String ipv4Address, String ipv6Address) {

    public NetworkAttachment {
        aliases = List.copyOf(aliases);
    }
}
