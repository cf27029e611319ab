package dev.keel.netplane;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code keel.netplane} section of reference.conf, parsed once.
 *
 * @param defaultBridge the Linux bridge of the default "bridge" network
 * @param defaultBridgeSubnet that network's subnet (CIDR), empty to let IPAM choose
 * @param chainPrefix prefix of the iptables chains and rule comments this daemon owns
 * @param bridgePrefix prefix of user-defined networks' bridges
 * @param sandboxRoot where containers' network namespaces are bind-mounted
 * @param defaultAddressPools subnets for networks that name none, in order
 * @param mtu bridges' and veths' MTU unless a network sets its own
 * @param hostResolvConf the host's resolver configuration, read for upstream servers
 * @param dnsForwardTimeout the longest the embedded DNS waits for an upstream answer
 */
public record NetplaneSettings(
        String defaultBridge,
        String defaultBridgeSubnet,
        String chainPrefix,
        String bridgePrefix,
        Path sandboxRoot,
        List<AddressPoolBase> defaultAddressPools,
        int mtu,
        Path hostResolvConf,
        Duration dnsForwardTimeout) {

    /** Docker's {@code default-address-pools} entry: split {@code base} into subnets of prefix length {@code size}. */
    public record AddressPoolBase(String base, int size) {}

    public NetplaneSettings {
        if (defaultBridge.isEmpty() || defaultBridge.length() > 15) {
            throw new IllegalArgumentException("keel.netplane.default-bridge must be 1-15 characters: " + defaultBridge);
        }
        if (bridgePrefix.isEmpty() || bridgePrefix.length() > 2) {
            throw new IllegalArgumentException("keel.netplane.bridge-prefix must be 1-2 characters: " + bridgePrefix);
        }
        if (chainPrefix.isEmpty() || chainPrefix.length() > 12) {
            throw new IllegalArgumentException("keel.netplane.chain-prefix must be 1-12 characters: " + chainPrefix);
        }
        if (!sandboxRoot.isAbsolute()) {
            throw new IllegalArgumentException("keel.netplane.sandbox-root must be absolute: " + sandboxRoot);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("keel.netplane.mtu must be 68-65535: " + mtu);
        }
        defaultAddressPools = List.copyOf(defaultAddressPools);
    }

    /** Parses the {@code keel.netplane} block (the config passed in is that block). */
    public static NetplaneSettings fromConfig(Config netplane) {
        return new NetplaneSettings(
                netplane.getString("default-bridge"),
                netplane.getString("default-bridge-subnet"),
                netplane.getString("chain-prefix"),
                netplane.getString("bridge-prefix"),
                Path.of(netplane.getString("sandbox-root")),
                netplane.getConfigList("default-address-pools").stream()
                        .map(c -> new AddressPoolBase(c.getString("base"), c.getInt("size")))
                        .toList(),
                netplane.getInt("mtu"),
                Path.of(netplane.getString("host-resolv-conf")),
                netplane.getDuration("dns-forward-timeout"));
    }

    public NetplaneSettings withSandboxRoot(Path root) {
        return new NetplaneSettings(defaultBridge, defaultBridgeSubnet, chainPrefix, bridgePrefix, root,
                defaultAddressPools, mtu, hostResolvConf, dnsForwardTimeout);
    }

    public NetplaneSettings withNames(String bridge, String chains, String bridges) {
        return new NetplaneSettings(bridge, defaultBridgeSubnet, chains, bridges, sandboxRoot, defaultAddressPools,
                mtu, hostResolvConf, dnsForwardTimeout);
    }
}
