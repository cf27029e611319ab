package dev.keel.netplane;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A test daemon's network objects (default bridge, user bridges, firewall chains, sandboxes) named after a tag of its
 * own, so that test daemons never touch each other's or a real daemon's, and their removal once the daemon is gone
 * (a daemon leaves them behind on purpose, for live restore).
 *
 * @param tag 6 hex characters
 * @param sandboxRoot where the daemon bind-mounts containers' network namespaces
 */
public record IsolatedNetplane(String tag, Path sandboxRoot) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static IsolatedNetplane random(Path sandboxRoot) {
        byte[] bytes = new byte[3];
        RANDOM.nextBytes(bytes);
        return new IsolatedNetplane(HexFormat.of().formatHex(bytes), sandboxRoot);
    }

    /** The {@code keel.netplane} overrides, as configuration. */
    public Map<String, String> settings() {
        return Map.of(
                "keel.netplane.default-bridge", "kt" + tag,
                "keel.netplane.chain-prefix", "KT" + tag,
                "keel.netplane.bridge-prefix", tag.substring(0, 2),
                "keel.netplane.sandbox-root", sandboxRoot.toString());
    }

    /** The same overrides as keeld's {@code -D key=value} flags. */
    public List<String> daemonFlags() {
        return settings().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .flatMap(e -> Stream.of("-D", e.getKey() + "=" + e.getValue())).toList();
    }

    public Config config() {
        return ConfigFactory.parseMap(settings());
    }

    /** Removes the bridges, veths, chains and sandboxes this tag names; call once the daemon has stopped. */
    public void remove() {
        HostNetworks.removeAll(NetplaneSettings.fromConfig(
                config().withFallback(ConfigFactory.defaultReference()).getConfig("keel.netplane")));
    }
}
