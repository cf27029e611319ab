package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.Conditions.eventually;
import static dev.keel.httpapi.cli.TestObjects.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Networking (issue 5) through the real docker CLIs against a real keeld: user-defined networks and their IPAM,
 * resolution and HTTP between containers, isolation, published ports, live connect and disconnect, a keeld restart,
 * and bad input answered as dockerd answers it. One keeld serves the class; every test removes what it made, and at
 * the end nothing of the run's tag is left on the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkCliIT {

    private static final String CGROUP_PARENT = "/keel-net-cli";
    private static final String IMAGE = "keel-test/net:1";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(3);
    private static final Pattern ROUTE_SOURCE = Pattern.compile("\\bsrc (\\d+\\.\\d+\\.\\d+\\.\\d+)");
    private static final Pattern PUBLISHED = Pattern.compile("0\\.0\\.0\\.0:(\\d+)");

    private CliHost host;
    private KeeldProcess keeld;
    private String hostAddress;
    /** A 10.x.0.0/16 no route of the host covers: other daemons on this machine own theirs. */
    private int secondOctet;
    private int nextSubnet;
    /** Host-side veths seen during the run, each of which must be gone at the end. */
    private final Set<String> veths = new TreeSet<>();
    private List<String> sandboxesLeft = List.of();
    private List<String> userBridgesLeft = List.of();
    private List<String> vethsLeft = List.of();
    private final TestObjects made = new TestObjects();

    @BeforeAll
    void startKeeld() throws Exception {
        secondOctet = unroutedSecondOctet();
        hostAddress = hostAddress();
        host = CliHost.start("n", CGROUP_PARENT);
        keeld = host.keeld();
        firstCli().ok("import", "--change", "CMD [\"sh\"]", host.busyboxTar().toString(), IMAGE);
    }

    @AfterAll
    void stopKeeldAndCheckTheHost() throws Exception {
        if (host == null) {
            return;
        }
        host.close(() -> {
            sandboxesLeft = sandboxes();
            userBridgesLeft = ourLinks().stream().filter(link -> !link.equals("kt" + keeld.netplane().tag())).toList();
            vethsLeft = links().stream().filter(veths::contains).toList();
        });
        String tag = keeld.netplane().tag();
        assertThat(sandboxesLeft).as("sandboxes keeld left once every container was removed").isEmpty();
        assertThat(userBridgesLeft).as("bridges keeld left once every user network was removed").isEmpty();
        assertThat(vethsLeft).as("veths keeld left once every container was removed").isEmpty();
        assertThat(ourLinks()).as("links of tag %s", tag).isEmpty();
        assertThat(links()).as("veths of the run").doesNotContainAnyElementsOf(veths);
        assertThat(command("iptables-save")).as("filter chains of tag %s", tag).doesNotContain("KT" + tag);
        assertThat(command("iptables-save", "-t", "nat")).as("nat chains of tag %s", tag).doesNotContain("KT" + tag);
        assertThat(command("cat", "/proc/self/mountinfo")).as("sandbox mounts")
                .doesNotContain(keeld.netplane().sandboxRoot().toString());
    }

    private List<String> sandboxes() throws IOException {
        Path root = keeld.netplane().sandboxRoot();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            return files.map(Path::toString).toList();
        }
    }

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        if (!keeld.isAlive()) {
            keeld.start();
        }
        DockerCli cli = firstCli();
        for (String container : made.containers()) {
            remember(cli, container);
        }
        made.removeWith(cli);
    }

    Stream<DockerCli> clis() {
        return host.clis();
    }

    private DockerCli firstCli() {
        return host.firstCli();
    }

    // --- networks -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldListThePredefinedNetworks(DockerCli cli) throws Exception {
        assertThat(cli.ok("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").lines())
                .contains("bridge bridge local", "host host local", "none null local");
        assertThat(cli.ok("network", "inspect", "--format", "{{index .Options \"com.docker.network.bridge.name\"}} "
                + "{{index .Options \"com.docker.network.bridge.default_bridge\"}} {{range .IPAM.Config}}{{.Subnet}} "
                + "{{.Gateway}}{{end}}", "bridge"))
                .matches("kt" + keeld.netplane().tag() + " true \\d+\\.\\d+\\.\\d+\\.0/\\d+ \\d+\\.\\d+\\.\\d+\\.1");
    }

    @Test
    void shouldReportTheEventsOfANetworksLife() throws Exception {
        DockerCli cli = firstCli();
        Instant since = Instant.now();
        String net = name(cli, "events");
        String id = createNetwork(cli, net, "--subnet", subnet());
        String container = name(cli, "events-c");
        String containerId = runDetached(cli, container, IMAGE, "sleep", "1000");
        cli.ok("network", "connect", net, container);
        cli.ok("network", "disconnect", net, container);
        cli.ok("network", "rm", net);

        assertThat(cli.ok("events", "--since", DockerCli.timestamp(since), "--until", DockerCli.timestamp(Instant.now()),
                "--filter", "type=network", "--filter", "network=" + id, "--format",
                "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}} "
                        + "{{.Actor.Attributes.container}}").lines())
                .containsExactly(
                        "create " + id + " " + net + " bridge <no value>",
                        "connect " + id + " " + net + " bridge " + containerId,
                        "disconnect " + id + " " + net + " bridge " + containerId,
                        "destroy " + id + " " + net + " bridge <no value>");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldCreateInspectFilterAndRemoveAUserNetwork(DockerCli cli) throws Exception {
        String net = name(cli, "ipam");
        String subnet = subnet();
        String base = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        String bridge = "kt" + keeld.netplane().tag() + cli.name().substring(cli.name().length() - 2);
        String label = "keel.test=" + net;

        String id = createNetwork(cli, net, "--subnet", subnet, "--gateway", base + "1", "--ip-range", base + "128/25",
                "--aux-address", "printer=" + base + "129", "--label", label,
                "-o", "com.docker.network.bridge.name=" + bridge);

        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(cli.ok("network", "inspect", "--format", "{{json .IPAM.Config}}", net)).isEqualTo("[{\"Subnet\":\""
                + subnet + "\",\"IPRange\":\"" + base + "128/25\",\"Gateway\":\"" + base + "1\",\"AuxiliaryAddresses\":"
                + "{\"printer\":\"" + base + "129\"}}]");
        assertThat(cli.ok("network", "inspect", "--format", "{{.Driver}} {{.Internal}} {{.Labels}} {{index .Options "
                + "\"com.docker.network.bridge.name\"}}", net)).isEqualTo("bridge false map[keel.test:" + net + "] " + bridge);
        assertThat(command("ip", "-4", "-o", "addr", "show", "dev", bridge)).contains("inet " + base + "1/24");

        String member = runDetached(cli, name(cli, "ipam-c"), "--network", net, IMAGE, "sleep", "1000");
        // The range starts at .128 and .129 is an auxiliary address: IPAM must skip it.
        assertThat(cli.ok("network", "inspect", "--format",
                "{{range $id, $c := .Containers}}{{$id}} {{$c.Name}} {{$c.IPv4Address}}{{end}}", net))
                .isEqualTo(member + " " + name(cli, "ipam-c") + " " + base + "128/24");
        cli.ok("rm", "-f", name(cli, "ipam-c"));

        assertThat(cli.ok("network", "ls", "-f", "driver=bridge", "--format", "{{.Name}}").lines()).contains("bridge", net)
                .doesNotContain("host", "none");
        assertThat(cli.ok("network", "ls", "-f", "name=" + net, "--format", "{{.Name}}").lines()).containsExactly(net);
        assertThat(cli.ok("network", "ls", "-f", "type=custom", "--format", "{{.Name}}").lines()).contains(net)
                .doesNotContain("bridge", "host", "none");
        assertThat(cli.ok("network", "ls", "-f", "label=" + label, "--format", "{{.ID}}").lines())
                .containsExactly(id.substring(0, 12));
        assertThat(cli.ok("network", "ls", "-f", "label=keel.test=other", "--format", "{{.Name}}")).isEmpty();

        assertThat(cli.ok("network", "rm", net)).isEqualTo(net);
        assertThat(cli.ok("network", "ls", "--format", "{{.Name}}").lines()).doesNotContain(net);
        assertThat(links()).doesNotContain(bridge);
    }

    @Test
    void shouldPruneOnlyUnusedUserNetworks() throws Exception {
        DockerCli cli = firstCli();
        String unused = name(cli, "prune-unused");
        String used = name(cli, "prune-used");
        createNetwork(cli, unused, "--subnet", subnet());
        createNetwork(cli, used, "--subnet", subnet());
        runDetached(cli, name(cli, "prune-c"), "--network", used, IMAGE, "sleep", "1000");

        assertThat(cli.ok("network", "prune", "-f").lines()).containsExactly("Deleted Networks:", unused);

        assertThat(cli.ok("network", "ls", "--format", "{{.Name}}").lines()).contains("bridge", "host", "none", used)
                .doesNotContain(unused);
    }

    // --- between containers ---------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldResolveAndServeHttpBetweenContainersByNameAliasAndShortId(DockerCli cli) throws Exception {
        String net = name(cli, "http");
        createNetwork(cli, net, "--subnet", subnet());
        String web = name(cli, "web");
        String id = runWebServer(cli, web, "--network", net, "--network-alias", "www-" + cli.name().replace(".", ""));
        String client = runDetached(cli, name(cli, "client"), "--network", net, IMAGE, "sleep", "1000");
        String webAddress = address(cli, web, net);
        // The end of the run checks that veths of these names are gone: they must have been there.
        assertThat(links()).contains("veth" + cli.ok("inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + net + "\").EndpointID}}", web).substring(0, 7));

        for (String host : List.of(web, "www-" + cli.name().replace(".", ""), id.substring(0, 12))) {
            eventually(web + " serving as " + host, () -> fetch(cli, client, host).ok());
            assertThat(fetch(cli, client, host).out()).as("page by %s", host).isEqualTo(web + "\n");
            assertThat(cli.ok("exec", client, "busybox", "nslookup", host, "127.0.0.11"))
                    .as("%s resolved by the embedded DNS", host).contains("Address: " + webAddress);
        }
        assertThat(cli.ok("exec", client, "cat", "/etc/resolv.conf")).contains("nameserver 127.0.0.11");
        assertThat(cli.ok("network", "inspect", "--format",
                "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{\"\\n\"}}{{end}}", net).lines())
                .containsExactlyInAnyOrder(web + " " + webAddress + "/24",
                        name(cli, "client") + " " + address(cli, client, net) + "/24");
    }

    @Test
    void shouldNotResolveNamesOnTheDefaultBridgeButReachByAddress() throws Exception {
        DockerCli cli = firstCli();
        String web = name(cli, "bridge-web");
        runWebServer(cli, web);
        String client = runDetached(cli, name(cli, "bridge-client"), IMAGE, "sleep", "1000");
        String webAddress = address(cli, web, "bridge");

        eventually(web + " serving on the default bridge", () -> fetch(cli, client, webAddress).ok());
        assertThat(fetch(cli, client, webAddress).out()).isEqualTo(web + "\n");
        DockerCli.Result byName = fetch(cli, client, web);
        assertThat(byName.exitCode()).as(byName.toString()).isNotZero();
        assertThat(byName.err()).contains("bad address");
        assertThat(cli.ok("exec", client, "cat", "/etc/resolv.conf")).doesNotContain("127.0.0.11");
    }

    @Test
    void shouldKeepTwoUserNetworksApart() throws Exception {
        DockerCli cli = firstCli();
        String left = name(cli, "left");
        String right = name(cli, "right");
        createNetwork(cli, left, "--subnet", subnet());
        createNetwork(cli, right, "--subnet", subnet());
        String web = name(cli, "left-web");
        runWebServer(cli, web, "--network", left);
        String neighbour = runDetached(cli, name(cli, "left-client"), "--network", left, IMAGE, "sleep", "1000");
        String stranger = runDetached(cli, name(cli, "right-client"), "--network", right, IMAGE, "sleep", "1000");
        String webAddress = address(cli, web, left);

        // The neighbour's success shows that the server is up, so the stranger's failure is the isolation's.
        eventually(web + " serving its own network", () -> fetch(cli, neighbour, webAddress).ok());
        DockerCli.Result across = fetch(cli, stranger, webAddress);

        assertThat(across.exitCode()).as(across.toString()).isNotZero();
        assertThat(cli.run("exec", stranger, "busybox", "nslookup", web, "127.0.0.11").exitCode())
                .as("a name on another network").isNotZero();
    }

    @Test
    void shouldKeepAnInternalNetworkAwayFromTheHost() throws Exception {
        DockerCli cli = firstCli();
        String open = name(cli, "open");
        String internal = name(cli, "internal");
        createNetwork(cli, open, "--subnet", subnet());
        createNetwork(cli, internal, "--internal", "--subnet", subnet());
        String outside = runDetached(cli, name(cli, "open-c"), "--network", open, IMAGE, "sleep", "1000");
        String inside = runDetached(cli, name(cli, "internal-c"), "--network", internal, IMAGE, "sleep", "1000");
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "host\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = hostAddress + ":" + server.getAddress().getPort();

            assertThat(cli.ok("network", "inspect", "--format", "{{.Internal}}", internal)).isEqualTo("true");
            assertThat(fetch(cli, outside, url).out()).as("the host from a network that is not internal").isEqualTo("host\n");
            DockerCli.Result fromInside = fetch(cli, inside, url);
            assertThat(fromInside.exitCode()).as(fromInside.toString()).isNotZero();
        } finally {
            server.stop(0);
        }
    }

    // --- published ports ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldPublishATcpPortOnLoopbackAndTheHostsAddress(DockerCli cli) throws Exception {
        int port = freePort();
        String web = name(cli, "published");
        runWebServer(cli, web, "-p", port + ":80");

        eventually(web + " on 127.0.0.1:" + port, () -> get("127.0.0.1", port).equals(web + "\n"));
        assertThat(get(hostAddress, port)).isEqualTo(web + "\n");
        assertThat(cli.ok("port", web).lines()).contains("80/tcp -> 0.0.0.0:" + port);
        assertThat(cli.ok("port", web, "80/tcp").lines()).contains("0.0.0.0:" + port);
        assertThat(cli.ok("inspect", "--format", "{{json .NetworkSettings.Ports}}", web))
                .contains("\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + port + "\"}");
        String neighbour = runDetached(cli, name(cli, "published-client"), IMAGE, "sleep", "1000");
        assertThat(fetch(cli, neighbour, hostAddress + ":" + port).out()).as("through the host's address from a container")
                .isEqualTo(web + "\n");
    }

    @Test
    void shouldPublishAPortOnlyOnTheAddressItNames() throws Exception {
        DockerCli cli = firstCli();
        int port = freePort();
        String web = name(cli, "loopback-only");
        runWebServer(cli, web, "-p", "127.0.0.1:" + port + ":80");

        eventually(web + " on 127.0.0.1:" + port, () -> get("127.0.0.1", port).equals(web + "\n"));
        assertThat(get(hostAddress, port)).startsWith("unreachable");
        assertThat(cli.ok("port", web).lines()).containsExactly("80/tcp -> 127.0.0.1:" + port);
    }

    @Test
    void shouldPublishAUdpPortOnLoopbackAndTheHostsAddress() throws Exception {
        DockerCli cli = firstCli();
        int port = freeUdpPort();
        String sink = runDetached(cli, name(cli, "udp"), "-p", port + ":81/udp", IMAGE, "sleep", "1000");
        assertThat(cli.ok("port", sink).lines()).contains("81/udp -> 0.0.0.0:" + port);

        // Busybox has no UDP server: the container's own counter of datagrams to a closed port shows arrival.
        for (String target : List.of("127.0.0.1", hostAddress)) {
            long before = udpDatagramsArrived(cli, sink);
            try (DatagramSocket socket = new DatagramSocket()) {
                byte[] payload = "ping".getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(target), port));
            }
            eventually("a datagram sent to " + target + ":" + port + " in the container",
                    () -> udpDatagramsArrived(cli, sink) > before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldPublishAnExposedPortOnAnEphemeralHostPort(DockerCli cli) throws Exception {
        String web = name(cli, "ephemeral");
        made.container(web);
        cli.ok("run", "-d", "--name", web, "--expose", "82", "-P", IMAGE, "sh", "-c",
                "busybox mkdir -p /www && echo " + web + " > /www/index.html && exec busybox httpd -f -p 82 -h /www");

        String published = cli.ok("port", web, "82");
        Matcher port = PUBLISHED.matcher(published);
        assertThat(port.find()).as(published).isTrue();
        int hostPort = Integer.parseInt(port.group(1));
        // Read by cat: Java's file reads answer wrong content for this procfs file here.
        String[] range = command("cat", "/proc/sys/net/ipv4/ip_local_port_range").strip().split("\\s+");

        assertThat(hostPort).isBetween(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
        eventually(web + " on its ephemeral port " + hostPort, () -> get("127.0.0.1", hostPort).equals(web + "\n"));
    }

    // --- connect and disconnect -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldConnectAndDisconnectARunningContainer(DockerCli cli) throws Exception {
        Roamer roamer = roam(cli, "");
        String address = roamer.secondBase() + "77";
        assertThat(cli.run("exec", roamer.client(), "busybox", "nslookup", roamer.web(), "127.0.0.11").exitCode())
                .as("the name before connect").isNotZero();

        cli.ok("network", "connect", "--ip", address, roamer.second(), roamer.web());

        assertThat(cli.ok("exec", roamer.web(), "busybox", "ip", "-4", "-o", "addr")).contains("inet " + address + "/24");
        eventually(roamer.web() + " by name on the network it joined", () -> fetch(cli, roamer.client(), roamer.web()).ok());
        assertThat(fetch(cli, roamer.client(), roamer.web()).out()).isEqualTo(roamer.web() + "\n");
        assertThat(cli.ok("exec", roamer.client(), "busybox", "nslookup", roamer.web(), "127.0.0.11"))
                .contains("Address: " + address);
        assertThat(cli.ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{.IPv4Address}} {{end}}",
                roamer.second())).contains(roamer.web() + " " + address + "/24");

        cli.ok("network", "disconnect", roamer.second(), roamer.web());

        assertThat(cli.ok("exec", roamer.web(), "busybox", "ip", "-4", "-o", "addr")).doesNotContain(address);
        assertThat(cli.run("exec", roamer.client(), "busybox", "nslookup", roamer.web(), "127.0.0.11").exitCode())
                .as("the name after disconnect").isNotZero();
        assertThat(fetch(cli, roamer.client(), address).exitCode()).as("the old address after disconnect").isNotZero();
        assertThat(cli.ok("network", "inspect", "--format", "{{len .Containers}}", roamer.second())).isEqualTo("1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldResolveTheAliasOfALiveConnection(DockerCli cli) throws Exception {
        Roamer roamer = roam(cli, "alias-");
        String alias = "joined-" + cli.name().replace(".", "");

        cli.ok("network", "connect", "--alias", alias, roamer.second(), roamer.web());

        eventually(roamer.web() + " by its new alias", () -> fetch(cli, roamer.client(), alias).ok());
        assertThat(fetch(cli, roamer.client(), alias).out()).isEqualTo(roamer.web() + "\n");
        cli.ok("network", "disconnect", roamer.second(), roamer.web());
        assertThat(cli.run("exec", roamer.client(), "busybox", "nslookup", alias, "127.0.0.11").exitCode())
                .as("the alias after disconnect").isNotZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldShowALiveConnectionInContainerInspect(DockerCli cli) throws Exception {
        Roamer roamer = roam(cli, "inspect-");
        String address = roamer.secondBase() + "78";
        String networksOf = "{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{end}}";

        cli.ok("network", "connect", "--ip", address, roamer.second(), roamer.web());

        assertThat(cli.ok("inspect", "--format", networksOf, roamer.web()).split(" "))
                .containsExactlyInAnyOrder(roamer.first(), roamer.second());
        assertThat(address(cli, roamer.web(), roamer.second())).isEqualTo(address);
        cli.ok("network", "disconnect", roamer.second(), roamer.web());
        assertThat(cli.ok("inspect", "--format", networksOf, roamer.web())).isEqualTo(roamer.first());
    }

    /** A web server on a first network and a client on a second one, which the server is not on yet. */
    private record Roamer(String first, String second, String secondBase, String web, String client) {
    }

    private Roamer roam(DockerCli cli, String prefix) throws Exception {
        String first = name(cli, prefix + "first");
        String second = name(cli, prefix + "second");
        createNetwork(cli, first, "--subnet", subnet());
        String secondSubnet = subnet();
        createNetwork(cli, second, "--subnet", secondSubnet);
        String web = name(cli, prefix + "roamer");
        runWebServer(cli, web, "--network", first);
        String client = name(cli, prefix + "second-client");
        runDetached(cli, client, "--network", second, IMAGE, "sleep", "1000");
        return new Roamer(first, second, secondSubnet.substring(0, secondSubnet.lastIndexOf('.') + 1), web, client);
    }

    @Test
    void shouldReachBothNetworksOfAContainerOnTwo() throws Exception {
        DockerCli cli = firstCli();
        String red = name(cli, "red");
        String blue = name(cli, "blue");
        createNetwork(cli, red, "--subnet", subnet());
        createNetwork(cli, blue, "--subnet", subnet());
        String redWeb = name(cli, "red-web");
        String blueWeb = name(cli, "blue-web");
        runWebServer(cli, redWeb, "--network", red);
        runWebServer(cli, blueWeb, "--network", blue);
        String both = runDetached(cli, name(cli, "both"), "--network", red, IMAGE, "sleep", "1000");
        cli.ok("network", "connect", blue, both);

        eventually(redWeb + " from the container on both", () -> fetch(cli, both, redWeb).ok());
        eventually(blueWeb + " from the container on both", () -> fetch(cli, both, blueWeb).ok());
        assertThat(fetch(cli, both, redWeb).out()).isEqualTo(redWeb + "\n");
        assertThat(fetch(cli, both, blueWeb).out()).isEqualTo(blueWeb + "\n");
        // docker stats adds up the counters of both interfaces (received / sent); the fetches made traffic on both.
        String netIo = cli.ok("stats", "--no-stream", "--format", "{{.NetIO}}", both);
        assertThat(netIo).matches("[0-9.]+[kM]?B / [0-9.]+[kM]?B").isNotEqualTo("0B / 0B");
    }

    // --- restart --------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepPortsAndNamesOfRunningContainersAcrossAKeeldRestart() throws Exception {
        DockerCli cli = firstCli();
        String net = name(cli, "restart");
        createNetwork(cli, net, "--subnet", subnet());
        int port = freePort();
        String web = name(cli, "restart-web");
        runWebServer(cli, web, "--network", net, "-p", port + ":80");
        String client = runDetached(cli, name(cli, "restart-client"), "--network", net, IMAGE, "sleep", "1000");
        eventually(web + " before the restart", () -> fetch(cli, client, web).ok() && get("127.0.0.1", port).equals(web + "\n"));

        assertThat(keeld.stop()).as("keeld exits 0 on SIGTERM:\n%s", keeld.log()).isTrue();
        assertThat(get("127.0.0.1", port)).as("the published port while keeld is down").isEqualTo(web + "\n");
        keeld.start();

        assertThat(get("127.0.0.1", port)).isEqualTo(web + "\n");
        assertThat(get(hostAddress, port)).isEqualTo(web + "\n");
        assertThat(fetch(cli, client, web).out()).as("by name after the restart").isEqualTo(web + "\n");
        String late = runDetached(cli, name(cli, "restart-late"), "--network", net, IMAGE, "sleep", "1000");
        eventually(web + " from a container started after the restart", () -> fetch(cli, late, web).ok());
        assertThat(address(cli, late, net)).isNotEqualTo(address(cli, web, net)).isNotEqualTo(address(cli, client, net));
    }

    // --- bad input ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRejectBadNetworkDefinitionsAndChangeNothing(DockerCli cli) throws Exception {
        String net = name(cli, "taken");
        String subnet = subnet();
        String overlapping = subnet.replace("/24", "/25");
        String outside = subnet();
        createNetwork(cli, net, "--subnet", subnet);
        List<String> networksBefore = networkNames(cli);
        Set<String> linksBefore = ourLinks();

        expectFailure(cli, 1, "Error response from daemon: invalid CIDR address: 10.300.0.0/24",
                "network", "create", "--subnet", "10.300.0.0/24", name(cli, "bad-cidr"));
        expectFailure(cli, 1, "Error response from daemon: Pool overlaps with other one on this address space",
                "network", "create", "--subnet", overlapping, name(cli, "bad-overlap"));
        String gateway = outside.replace(".0/24", ".1");
        expectFailure(cli, 1, "no matching subnet for gateway " + gateway,
                "network", "create", "--subnet", subnet(), "--gateway", gateway, name(cli, "bad-gateway"));
        expectFailure(cli, 1, "Error response from daemon: network with name " + net + " already exists",
                "network", "create", "--subnet", subnet(), net);

        assertThat(networkNames(cli)).isEqualTo(networksBefore);
        assertThat(ourLinks()).isEqualTo(linksBefore);
    }

    /** The CLI checks the gateway itself; keeld must refuse it too, for clients that do not. */
    @Test
    void shouldRejectAGatewayOutsideItsSubnetThroughTheApi() throws Exception {
        DockerCli cli = firstCli();
        List<String> networksBefore = networkNames(cli);
        Set<String> linksBefore = ourLinks();
        String subnet = subnet();
        String gateway = subnet().replace(".0/24", ".1");

        String answer = command("curl", "-s", "-w", "\n%{http_code}", "--unix-socket", keeld.socket().toString(),
                "-H", "Content-Type: application/json", "-d", "{\"Name\":\"" + name(cli, "api-gateway")
                        + "\",\"IPAM\":{\"Config\":[{\"Subnet\":\"" + subnet + "\",\"Gateway\":\"" + gateway + "\"}]}}",
                "http://keeld/v1.41/networks/create");

        List<String> lines = answer.strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(answer).isEqualTo("400");
        assertThat(lines.get(0)).startsWith("{\"message\":\"").contains("out of range");
        assertThat(networkNames(cli)).isEqualTo(networksBefore);
        assertThat(ourLinks()).isEqualTo(linksBefore);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRejectAnAddressTakenOrOutsideTheSubnet(DockerCli cli) throws Exception {
        String net = name(cli, "addresses");
        String subnet = subnet();
        String base = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        createNetwork(cli, net, "--subnet", subnet);
        String holder = name(cli, "holder");
        runDetached(cli, holder, "--network", net, "--ip", base + "10", IMAGE, "sleep", "1000");
        String late = name(cli, "late");
        made.container(late);
        String stray = name(cli, "stray");
        made.container(stray);

        DockerCli.Result taken = cli.run("run", "-d", "--name", late, "--network", net, "--ip", base + "10", IMAGE,
                "sleep", "1000");
        DockerCli.Result outside = cli.run("run", "-d", "--name", stray, "--network", net, "--ip", "10.1.2.3", IMAGE,
                "sleep", "1000");

        assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(125);
        String lateId = cli.ok("inspect", "--format", "{{.Id}}", late);
        assertThat(sandboxes()).as("the failed container's sandbox").noneMatch(sandbox -> sandbox.endsWith(lateId));
        assertThat(taken.err()).contains("Error response from daemon: Address already in use");
        assertThat(outside.exitCode()).as(outside.toString()).isEqualTo(125);
        assertThat(outside.err()).contains(
                "Error response from daemon: Invalid address 10.1.2.3: It does not belong to any of this network's subnets");
        assertThat(cli.ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", net))
                .isEqualTo(holder + " " + base + "10/24");
        assertThat(cli.ok("exec", holder, "busybox", "ip", "-4", "-o", "addr")).contains("inet " + base + "10/24");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldFailToStartWhenThePublishedPortIsBound(DockerCli cli) throws Exception {
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = holder.getLocalPort();
            String web = name(cli, "bound");
            made.container(web);

            List<String> networksBefore = networkNames(cli);
            Set<String> vethsBefore = vethsOnTheDefaultBridge();

            DockerCli.Result result = cli.run("run", "-d", "--name", web, "-p", port + ":80", IMAGE, "sleep", "1000");

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(125);
            assertThat(result.err()).containsAnyOf("address already in use", "port is already allocated");
            String id = cli.ok("inspect", "--format", "{{.Id}}", web);
            assertThat(cli.ok("inspect", "--format", "{{.State.Running}}", web)).isEqualTo("false");
            assertThat(sandboxes()).as("the failed container's sandbox").noneMatch(sandbox -> sandbox.endsWith(id));
            assertThat(networkNames(cli)).isEqualTo(networksBefore);
            assertThat(vethsOnTheDefaultBridge()).as("veths left by the failed start").isEqualTo(vethsBefore);
            assertThat(command("iptables-save", "-t", "nat")).as("a DNAT rule for the port that failed")
                    .doesNotContainPattern("KT" + keeld.netplane().tag() + ".*--dport " + port + "\\b");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRefuseToRemoveANetworkWithActiveEndpointsOrAPredefinedOne(DockerCli cli) throws Exception {
        String net = name(cli, "busy");
        String id = createNetwork(cli, net, "--subnet", subnet());
        runDetached(cli, name(cli, "busy-c"), "--network", net, IMAGE, "sleep", "1000");

        expectFailure(cli, 1, "Error response from daemon: error while removing network: network " + net + " id " + id
                + " has active endpoints", "network", "rm", net);
        for (String predefined : List.of("bridge", "host", "none")) {
            expectFailure(cli, 1, "Error response from daemon: " + predefined
                    + " is a pre-defined network and cannot be removed", "network", "rm", predefined);
        }
        assertThat(networkNames(cli)).contains(net, "bridge", "host", "none");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldAnswerConnectToAMissingNetworkOrContainer(DockerCli cli) throws Exception {
        String net = name(cli, "lonely");
        createNetwork(cli, net, "--subnet", subnet());
        String container = name(cli, "lonely-c");
        runDetached(cli, container, IMAGE, "sleep", "1000");

        expectFailure(cli, 1, "Error response from daemon: network nosuchnet not found",
                "network", "connect", "nosuchnet", container);
        expectFailure(cli, 1, "Error response from daemon: No such container: nosuchc", "network", "connect", net, "nosuchc");
        assertThat(cli.ok("network", "inspect", "--format", "{{len .Containers}}", net)).isEqualTo("0");
        DockerCli.Result missing = cli.run("network", "rm", "nosuchnet");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).containsAnyOf("No such network: nosuchnet", "network nosuchnet not found");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRefuseToConnectTwiceOrDisconnectWhatIsNotConnected(DockerCli cli) throws Exception {
        String net = name(cli, "twice");
        String other = name(cli, "twice-other");
        createNetwork(cli, net, "--subnet", subnet());
        createNetwork(cli, other, "--subnet", subnet());
        String container = name(cli, "twice-c");
        runDetached(cli, container, "--network", net, IMAGE, "sleep", "1000");

        expectFailure(cli, 1, "Error response from daemon: container ", "network", "disconnect", other, container);
        assertThat(cli.run("network", "disconnect", other, container).err()).contains("is not connected to")
                .contains(other);
        expectFailure(cli, 1, "Error response from daemon: endpoint with name " + container
                + " already exists in network " + net, "network", "connect", net, container);
        assertThat(cli.ok("exec", container, "busybox", "ip", "-4", "-o", "addr").lines()
                .filter(line -> line.contains(" inet ") && !line.contains(" lo ")).toList()).hasSize(1);
    }

    // --- fixture --------------------------------------------------------------------------------------------------

    /** A /24 of the run's own second octet, a new one for each call. */
    private String subnet() {
        return "10." + secondOctet + "." + ++nextSubnet + ".0/24";
    }

    private String createNetwork(DockerCli cli, String network, String... options) throws Exception {
        made.network(network);
        List<String> args = new ArrayList<>(List.of("network", "create"));
        args.addAll(List.of(options));
        args.add(network);
        return cli.ok(args.toArray(String[]::new));
    }

    private String runDetached(DockerCli cli, String name, String... optionsImageAndCommand) throws Exception {
        made.container(name);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(optionsImageAndCommand));
        String id = cli.ok(args.toArray(String[]::new));
        remember(cli, name);
        return id;
    }

    /** Busybox httpd on port 80, serving its own name at /. */
    private String runWebServer(DockerCli cli, String name, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of(IMAGE, "sh", "-c", "busybox mkdir -p /www && echo " + name
                + " > /www/index.html && exec busybox httpd -f -p 80 -h /www"));
        return runDetached(cli, name, args.toArray(String[]::new));
    }

    /**
     * {@code wget} from inside {@code client}, ended after 3 s as a dropped packet would otherwise hang it (this
     * busybox's {@code wget -T} crashes).
     */
    private static DockerCli.Result fetch(DockerCli cli, String client, String host) throws Exception {
        return cli.run("exec", client, "busybox", "timeout", "3", "busybox", "wget", "-qO-", "http://" + host + "/");
    }

    private static String address(DockerCli cli, String container, String network) throws Exception {
        return cli.ok("inspect", "--format", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}",
                container);
    }

    /** The host-side veth of each of the container's endpoints ({@code veth} + 7 of the endpoint id). */
    private void remember(DockerCli cli, String container) throws Exception {
        DockerCli.Result endpoints = cli.run("inspect", "--format",
                "{{range .NetworkSettings.Networks}}{{.EndpointID}} {{end}}", container);
        if (endpoints.ok()) {
            for (String endpoint : endpoints.out().strip().split("\\s+")) {
                if (endpoint.length() >= 7) {
                    veths.add("veth" + endpoint.substring(0, 7));
                }
            }
        }
    }

    private static void expectFailure(DockerCli cli, int exitCode, String message, String... args) throws Exception {
        DockerCli.Result result = cli.run(args);
        assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result).isEqualTo(exitCode);
        assertThat(result.err()).as(String.join(" ", args)).contains(message);
    }

    private static List<String> networkNames(DockerCli cli) throws Exception {
        return cli.ok("network", "ls", "--format", "{{.Name}}").lines().sorted().toList();
    }

    /** Body of {@code GET http://host:port/} from the host. */
    private static String get(String host, int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/"))
                    .timeout(HTTP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "status " + response.statusCode();
        } catch (IOException e) {
            return "unreachable: " + e;
        }
    }

    /** Datagrams that reached the container's network namespace, to a socket or to a closed port. */
    private static long udpDatagramsArrived(DockerCli cli, String container) throws Exception {
        List<String> udp = cli.ok("exec", container, "cat", "/proc/net/snmp").lines()
                .filter(line -> line.startsWith("Udp:")).toList();
        List<String> names = List.of(udp.get(0).split("\\s+"));
        String[] values = udp.get(1).split("\\s+");
        return Long.parseLong(values[names.indexOf("InDatagrams")]) + Long.parseLong(values[names.indexOf("NoPorts")]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * The links of this run: named after its tag (default bridge, bridges the tests named) or holding an address of
     * its own 10.x/16 (user bridges, whose 2-character prefix other daemons may share).
     */
    private Set<String> ourLinks() throws Exception {
        String tag = keeld.netplane().tag();
        Set<String> ours = new TreeSet<>();
        links().stream().filter(link -> link.contains(tag)).forEach(ours::add);
        for (String line : command("ip", "-4", "-o", "addr").lines().toList()) {
            String[] fields = line.split("\\s+");
            if (fields[3].startsWith("10." + secondOctet + ".")) {
                ours.add(fields[1]);
            }
        }
        return ours;
    }

    private Set<String> vethsOnTheDefaultBridge() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : command("ip", "-o", "link", "show", "master", "kt" + keeld.netplane().tag()).lines().toList()) {
            String name = line.split(": ")[1];
            names.add(name.contains("@") ? name.substring(0, name.indexOf('@')) : name);
        }
        return names;
    }

    private static Set<String> links() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : command("ip", "-o", "link").lines().toList()) {
            String name = line.split(": ")[1];
            names.add(name.contains("@") ? name.substring(0, name.indexOf('@')) : name);
        }
        return names;
    }

    private static String command(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
        return output;
    }

    private static String hostAddress() throws Exception {
        Matcher source = ROUTE_SOURCE.matcher(command("ip", "-4", "route", "get", "1.1.1.1"));
        assertThat(source.find()).as("the host's own address").isTrue();
        return source.group(1);
    }

    private static int unroutedSecondOctet() throws Exception {
        String routes = command("ip", "-4", "route");
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate = 100 + random.nextInt(150);
            if (!routes.contains("10." + candidate + ".")) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free 10.x.0.0/16 among the host's routes:\n" + routes);
    }
}
