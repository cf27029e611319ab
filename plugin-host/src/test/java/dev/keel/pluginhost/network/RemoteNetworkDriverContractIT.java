package dev.keel.pluginhost.network;

import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkDriverContract;
import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.pluginhost.PluginProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * netplane's NetworkDriverContract against the remote driver and the python network plugin (real veth pairs, so
 * root). Interfaces the plugin leaves (endpoints a test never deletes) are removed after each test.
 */
class RemoteNetworkDriverContractIT extends NetworkDriverContract {

    private static final String PREFIX = "kp";

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private int subnet;

    @Override
    protected NetworkDriver setUpDriver() {
        host.start(PluginProcess.Kind.NETWORK, host.socket("contractnet"), "--prefix", PREFIX);
        return RemoteNetworkDriver.lookUp(host.plugins(), "contractnet");
    }

    /** Runs before the fixture stops the plugin; stopping leaves the veth pairs in place, so the order is free. */
    @Override
    protected void tearDownDriver() throws Exception {
        Process links = new ProcessBuilder("ip", "-o", "link", "show").start();
        String listing = new String(links.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        links.waitFor();
        for (String line : listing.split("\n")) {
            String[] fields = line.split(": ");
            if (fields.length > 1 && fields[1].startsWith(PREFIX)) {
                new ProcessBuilder("ip", "link", "del", fields[1].split("@")[0]).start().waitFor();
            }
        }
    }

    @Override
    protected NetworkDefinition newNetwork() {
        subnet++;
        String base = "10.78." + subnet + ".";
        return new NetworkDefinition(randomId(), "contract-" + subnet, Map.of(), false, false,
                List.of(new AddressPool("keeltest-local", base + "0/24", base + "1/24", Map.of())), List.of());
    }

    @Override
    protected EndpointAddresses addressFor(NetworkDefinition network, int n) {
        String pool = network.ipv4().get(0).pool();
        return new EndpointAddresses(pool.substring(0, pool.lastIndexOf('.') + 1) + (n + 2) + "/24", "", "");
    }

    @Override
    protected Path newSandbox() {
        return Path.of("/var/run/netns", "keel-contract-" + subnet);
    }
}
