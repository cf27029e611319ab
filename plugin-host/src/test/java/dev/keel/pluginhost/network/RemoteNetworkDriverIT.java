package dev.keel.pluginhost.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.DriverScope;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.pluginhost.PluginProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every NetworkDriver method against the python network plugin, which makes real veth pairs (root). The container
 * side is moved into a real network namespace to show a container could use it.
 */
class RemoteNetworkDriverIT {

    private static final String PREFIX = "kq";

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private PluginProcess process;
    private final List<String> namespaces = new ArrayList<>();
    private final String networkId = randomId();

    /** Runs before the fixture stops the plugin; stopping leaves the veth pairs in place, so the order is free. */
    @AfterEach
    void removeNamespacesAndLinks() throws Exception {
        for (String namespace : namespaces) {
            run("ip", "netns", "del", namespace);
        }
        for (String line : run("ip", "-o", "link", "show").split("\n")) {
            String[] fields = line.split(": ");
            if (fields.length > 1 && fields[1].startsWith(PREFIX)) {
                run("ip", "link", "del", fields[1].split("@")[0]);
            }
        }
    }

    private RemoteNetworkDriver driver(String... switches) {
        List<String> arguments = new ArrayList<>(List.of("--prefix", PREFIX));
        arguments.addAll(List.of(switches));
        process = host.start(PluginProcess.Kind.NETWORK, host.socket("vethnet"), arguments.toArray(String[]::new));
        return RemoteNetworkDriver.lookUp(host.plugins(), "vethnet");
    }

    private NetworkDefinition network() {
        return new NetworkDefinition(networkId, "plugnet", Map.of("mtu", "1400"), false, false,
                List.of(new AddressPool("keeltest-local", "10.77.0.0/24", "10.77.0.1/24",
                        Map.of("reserved", "10.77.0.250/24"))), List.of());
    }

    private static String randomId() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static boolean linkExists(String name) throws Exception {
        return new ProcessBuilder("ip", "link", "show", name).start().waitFor() == 0;
    }

    private static void assertFailure(ThrowingCallable call, NetworkFailure.Kind kind, String text) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(NetworkFailure.class, f -> assertThat(f.kind()).isEqualTo(kind))
                .hasMessageContaining(text);
    }

    @Test
    void shouldAskCapabilitiesWhenLookedUp() {
        RemoteNetworkDriver driver = driver("--scope", "global");

        assertThat(driver.scope()).isEqualTo(DriverScope.GLOBAL);
        assertThat(driver.name()).isEqualTo("vethnet");
        assertThat(RemoteNetworkDriver.lookUp(host.plugins(), "vethnet")).isSameAs(driver);
        assertThat(process.requests("NetworkDriver.GetCapabilities")).hasSize(1);
    }

    @Test
    void shouldRefuseInvalidScope() {
        assertFailure(() -> driver("--scope", "galactic"), NetworkFailure.Kind.FAILED,
                "expecting 'local' or 'global', got galactic");
    }

    @Test
    void shouldSendCreateNetworkAsDockerDoes() {
        RemoteNetworkDriver driver = driver();

        driver.createNetwork(network());

        JsonNode body = process.requests("NetworkDriver.CreateNetwork").get(0).get("body");
        assertThat(body.get("NetworkID").asText()).isEqualTo(networkId);
        assertThat(body.get("Options").get("com.docker.network.generic").toString()).isEqualTo("{\"mtu\":\"1400\"}");
        assertThat(body.get("Options").get("com.docker.network.enable_ipv6").asBoolean()).isFalse();
        assertThat(body.get("Options").has("com.docker.network.internal")).isFalse();
        assertThat(body.get("IPv4Data").toString()).isEqualTo("[{\"AddressSpace\":\"keeltest-local\","
                + "\"Pool\":\"10.77.0.0/24\",\"Gateway\":\"10.77.0.1/24\","
                + "\"AuxAddresses\":{\"reserved\":\"10.77.0.250/24\"}}]");
        assertThat(body.get("IPv6Data").isEmpty()).isTrue();
    }

    @Test
    void shouldMakeUsableInterfaceThroughEndpointAndJoin() throws Exception {
        RemoteNetworkDriver driver = driver();
        driver.createNetwork(network());
        String endpointId = randomId();
        String namespace = "keeltest-" + endpointId.substring(0, 8);
        run("ip", "netns", "add", namespace);
        namespaces.add(namespace);

        EndpointAddresses chosen = driver.createEndpoint(networkId, endpointId,
                new EndpointAddresses("10.77.0.2/24", "", "02:42:0a:4d:00:02"));
        JoinInfo join = driver.join(networkId, endpointId, Path.of("/var/run/netns", namespace));

        assertThat(chosen).isEqualTo(EndpointAddresses.NONE);
        assertThat(join.srcName()).isEqualTo(PREFIX + "c" + endpointId.substring(0, 9));
        assertThat(join.dstPrefix()).isEqualTo("eth");
        assertThat(join.gateway()).isEqualTo("10.77.0.1");
        assertThat(join.staticRoutes()).containsExactly(new JoinInfo.StaticRoute("10.99.0.0/16", "10.77.0.1"),
                new JoinInfo.StaticRoute("10.98.0.0/16", ""));
        assertThat(process.requests("NetworkDriver.Join").get(0).get("body").get("SandboxKey").asText())
                .isEqualTo("/var/run/netns/" + namespace);

        run("ip", "link", "set", join.srcName(), "netns", namespace);
        run("ip", "-n", namespace, "link", "set", join.srcName(), "name", join.dstPrefix() + "0");
        run("ip", "-n", namespace, "addr", "add", "10.77.0.2/24", "dev", "eth0");
        run("ip", "-n", namespace, "link", "set", "eth0", "up");
        assertThat(run("ip", "-n", namespace, "-o", "addr", "show", "eth0")).contains("10.77.0.2/24");

        driver.leave(networkId, endpointId);
        driver.deleteEndpoint(networkId, endpointId);
        driver.deleteNetwork(networkId);
        assertThat(linkExists(PREFIX + "h" + endpointId.substring(0, 9))).isFalse();
        assertThat(process.requests().stream().map(r -> r.get("method").asText()).toList()).containsSubsequence(
                "NetworkDriver.CreateEndpoint", "NetworkDriver.Join", "NetworkDriver.Leave",
                "NetworkDriver.DeleteEndpoint", "NetworkDriver.DeleteNetwork");
    }

    @Test
    void shouldSendRequestedInterfaceAndRemoveVethOnDelete() throws Exception {
        RemoteNetworkDriver driver = driver();
        driver.createNetwork(network());
        String endpointId = randomId();

        driver.createEndpoint(networkId, endpointId, new EndpointAddresses("10.77.0.3/24", "", ""));

        JsonNode iface = process.requests("NetworkDriver.CreateEndpoint").get(0).get("body").get("Interface");
        assertThat(iface.get("Address").asText()).isEqualTo("10.77.0.3/24");
        assertThat(linkExists(PREFIX + "h" + endpointId.substring(0, 9))).isTrue();
        driver.deleteEndpoint(networkId, endpointId);
        assertThat(linkExists(PREFIX + "h" + endpointId.substring(0, 9))).isFalse();
    }

    @Test
    void shouldReturnAddressesPluginChose() {
        RemoteNetworkDriver driver = driver();
        driver.createNetwork(network());

        EndpointAddresses chosen = driver.createEndpoint(networkId, randomId(), EndpointAddresses.NONE);

        assertThat(chosen.address()).isEqualTo("10.77.0.100/24");
        assertThat(chosen.macAddress()).startsWith("02:42:");
    }

    @Test
    void shouldPublishNothingWhenPluginHasNoExternalConnectivity() {
        RemoteNetworkDriver driver = driver();

        assertThat(driver.programExternalConnectivity(networkId, randomId(),
                List.of(new PortMapping("tcp", 80, "", 8080)))).isEmpty();
        driver.revokeExternalConnectivity(networkId, randomId());
    }

    @Test
    void shouldSendPortBindingsAsDockerDoes() {
        RemoteNetworkDriver driver = driver("--external-connectivity");
        List<PortMapping> ports = List.of(new PortMapping("tcp", 80, "127.0.0.1", 8080),
                new PortMapping("udp", 53, "", 5353));

        assertThat(driver.programExternalConnectivity(networkId, randomId(), ports)).isEqualTo(ports);
        driver.revokeExternalConnectivity(networkId, randomId());

        JsonNode options = process.requests("NetworkDriver.ProgramExternalConnectivity").get(0).get("body")
                .get("Options");
        assertThat(options.get("com.docker.network.portmap").toString()).isEqualTo("[{\"Proto\":6,\"IP\":\"\","
                + "\"Port\":80,\"HostIP\":\"127.0.0.1\",\"HostPort\":8080,\"HostPortEnd\":8080},"
                + "{\"Proto\":17,\"IP\":\"\",\"Port\":53,\"HostIP\":\"\",\"HostPort\":5353,\"HostPortEnd\":5353}]");
        assertThat(options.get("com.docker.network.endpoint.exposedports").toString())
                .isEqualTo("[{\"Proto\":6,\"Port\":80},{\"Proto\":17,\"Port\":53}]");
        assertThat(process.requests("NetworkDriver.RevokeExternalConnectivity")).hasSize(1);
    }

    @Test
    void shouldFailWithPluginsText() {
        RemoteNetworkDriver driver = driver();

        assertFailure(() -> driver.join(networkId, randomId(), Path.of("/var/run/netns/x")),
                NetworkFailure.Kind.FAILED, "NetworkDriver.Join: no such endpoint");
    }

    @Test
    void shouldReportCrashAsUnavailable() {
        RemoteNetworkDriver driver = driver("--misbehave", "crash", "--on", "NetworkDriver.CreateNetwork");

        assertFailure(() -> driver.createNetwork(network()), NetworkFailure.Kind.UNAVAILABLE, "plugin vethnet");
    }

    @Test
    void shouldNotFindUnknownPlugin() {
        assertFailure(() -> RemoteNetworkDriver.lookUp(host.plugins(), "nothing"), NetworkFailure.Kind.NOT_FOUND,
                "not found");
    }
}
