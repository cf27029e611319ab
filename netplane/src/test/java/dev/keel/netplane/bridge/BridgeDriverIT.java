package dev.keel.netplane.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.sandbox.KernelCommands;
import dev.keel.netplane.sandbox.Sandboxes;
import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkDriverContract;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import dev.keel.os.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge driver against the real kernel: bridges, veths, namespaces and iptables, all named from a random
 * prefix of this test so that nothing clashes with a running keeld or dockerd, and all checked gone afterwards.
 */
class BridgeDriverIT extends NetworkDriverContract {

    private static final Path SYS_NET = Path.of("/sys/class/net");

    @TempDir
    Path webRoot;

    private NetplaneSettings settings;
    private KernelCommands commands;
    private BridgeDriver bridge;
    private Sandboxes sandboxes;
    private Path runRoot;
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> sockets = new ArrayList<>();

    private record Attached(Path sandbox, String endpointId, String ip) {}

    @Override
    protected NetworkDriver setUpDriver() throws IOException {
        String tag = HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt())
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        runRoot = Files.createTempDirectory(Path.of("/run"), "keel-netplane-it-");
        settings = new NetplaneSettings("kd" + tag, "", "KT" + tag, "q" + tag.substring(0, 1),
                runRoot.resolve("netns"), List.of(), 1500, Path.of("/etc/resolv.conf"), Duration.ofSeconds(5));
        commands = new KernelCommands();
        bridge = new BridgeDriver(settings, commands);
        sandboxes = new Sandboxes(settings, commands);
        return bridge;
    }

    @Override
    protected void tearDownDriver() throws Exception {
        processes.forEach(Process::destroyForcibly);
        for (Process process : processes) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable socket : sockets) {
            socket.close();
        }
        for (String id : sandboxes.existing()) {
            sandboxes.delete(id);
        }
        List<String> leftLinks = ourLinks();
        for (String link : leftLinks) {
            new ProcessBuilder("ip", "link", "del", link).start().waitFor();
        }
        new Firewall(settings.chainPrefix(), commands).remove();
        try (Stream<Path> files = Files.list(settings.sandboxRoot())) {
            assertThat(files.toList()).as("netns files left").isEmpty();
        } catch (NoSuchFileException none) {
            // No sandbox was ever made.
        } finally {
            deleteTree(runRoot);
        }
        assertThat(leftLinks).as("bridges and veths the test left").isEmpty();
        assertThat(ourLinks()).isEmpty();
        assertThat(commands.run("iptables-save")).doesNotContain(settings.chainPrefix());
    }

    @Override
    protected NetworkDefinition newNetwork() {
        return network(Map.of(), false);
    }

    @Override
    protected EndpointAddresses addressFor(NetworkDefinition network, int n) {
        String pool = network.ipv4().get(0).pool();
        String base = pool.substring(0, pool.lastIndexOf('.') + 1);
        return new EndpointAddresses(base + (n + 2) + "/24", "", "");
    }

    @Override
    protected Path newSandbox() {
        return sandboxes.create(randomId());
    }

    @Test
    void shouldLetTwoSandboxesOnOneBridgeReachEachOther() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached a = attach(network, 0);
        Attached b = attach(network, 1);

        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W2", b.ip())).isZero();
        assertThat(runIn(b.sandbox(), "busybox", "ping", "-c1", "-W2", a.ip())).isZero();
    }

    @Test
    void shouldIsolateTwoNetworks() throws Exception {
        NetworkDefinition first = createNetwork(newNetwork());
        NetworkDefinition second = createNetwork(newNetwork());
        Attached a = attach(first, 0);
        Attached b = attach(second, 0);

        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W2", hostAddress())).as("way out").isZero();
        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W1", b.ip())).isNotZero();
        assertThat(runIn(b.sandbox(), "busybox", "ping", "-c1", "-W1", a.ip())).isNotZero();
    }

    @Test
    void shouldGiveAnInternalNetworkNoWayOut() throws Exception {
        NetworkDefinition internal = createNetwork(network(Map.of(), true));
        NetworkDefinition routed = createNetwork(newNetwork());
        Attached inside = attach(internal, 0);
        Attached peer = attach(internal, 1);
        Attached outside = attach(routed, 0);

        assertThat(runIn(outside.sandbox(), "busybox", "ping", "-c1", "-W2", hostAddress())).isZero();
        assertThat(runIn(inside.sandbox(), "busybox", "ping", "-c1", "-W2", peer.ip())).isZero();
        assertThat(runIn(inside.sandbox(), "busybox", "ping", "-c1", "-W1", hostAddress())).isNotZero();
        assertThat(runIn(inside.sandbox(), "busybox", "ping", "-c1", "-W1", outside.ip())).isNotZero();
    }

    @Test
    void shouldDropTrafficOnTheBridgeWhenIccIsDisabled() throws Exception {
        NetworkDefinition network = createNetwork(network(Map.of(BridgeDriver.ENABLE_ICC, "false"), false));
        Attached a = attach(network, 0);
        Attached b = attach(network, 1);

        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W2", hostAddress())).isZero();
        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W1", b.ip())).isNotZero();
    }

    @Test
    void shouldServeAPublishedTcpPortOnLoopbackAndOnTheHostAddress() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached web = attach(network, 0);
        Files.writeString(webRoot.resolve("index.html"), "hello-keel");
        startIn(web.sandbox(), "busybox", "httpd", "-f", "-p", "80", "-h", webRoot.toString());

        List<PortMapping> published = bridge.programExternalConnectivity(network.networkId(), web.endpointId(),
                List.of(new PortMapping("tcp", 80, "", 0)));

        int port = published.get(0).hostPort();
        assertThat(port).isPositive();
        assertThat(awaitValue(() -> httpGet("127.0.0.1", port))).contains("hello-keel");
        assertThat(awaitValue(() -> httpGet(hostAddress(), port))).contains("hello-keel");
    }

    @Test
    void shouldServeAPublishedUdpPortOnLoopbackAndOnTheHostAddress() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached echo = attach(network, 0);
        startUdpEcho(echo.sandbox(), 5353);

        List<PortMapping> published = bridge.programExternalConnectivity(network.networkId(), echo.endpointId(),
                List.of(new PortMapping("udp", 5353, "", 0)));

        int port = published.get(0).hostPort();
        assertThat(awaitValue(() -> udpRoundTrip("127.0.0.1", port, "ping-1"))).isEqualTo("ping-1");
        assertThat(awaitValue(() -> udpRoundTrip(hostAddress(), port, "ping-2"))).isEqualTo("ping-2");
    }

    @Test
    void shouldStopServingAPortOnceRevoked() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached web = attach(network, 0);
        int port = bridge.programExternalConnectivity(network.networkId(), web.endpointId(),
                List.of(new PortMapping("tcp", 80, "", 0))).get(0).hostPort();

        bridge.revokeExternalConnectivity(network.networkId(), web.endpointId());

        assertThat(natRules()).doesNotContain("--dport " + port);
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void shouldFailWithDockersMessageAndLeaveNoRuleWhenTheHostPortIsTaken() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached web = attach(network, 0);
        ServerSocket taken = new ServerSocket();
        sockets.add(taken);
        taken.bind(new InetSocketAddress("0.0.0.0", 0));
        int port = taken.getLocalPort();
        int free = freePort();

        assertThatThrownBy(() -> bridge.programExternalConnectivity(network.networkId(), web.endpointId(),
                List.of(new PortMapping("tcp", 81, "", free), new PortMapping("tcp", 80, "", port))))
                .isInstanceOfSatisfying(NetworkFailure.class,
                        e -> assertThat(e.kind()).isEqualTo(NetworkFailure.Kind.CONFLICT))
                .hasMessage("Error starting userland proxy: listen tcp4 0.0.0.0:" + port
                        + ": bind: address already in use");

        assertThat(natRules()).doesNotContain("DNAT");
        try (ServerSocket released = new ServerSocket(free)) {
            assertThat(released.getLocalPort()).isEqualTo(free);
        }
    }

    @Test
    void shouldRejectABridgeNameAnotherNetworkUses() {
        String name = settings.bridgePrefix() + "-named";
        createNetwork(network(Map.of(BridgeDriver.BRIDGE_NAME, name), false));

        assertThatThrownBy(() -> createNetwork(network(Map.of(BridgeDriver.BRIDGE_NAME, name), false)))
                .isInstanceOfSatisfying(NetworkFailure.class,
                        e -> assertThat(e.kind()).isEqualTo(NetworkFailure.Kind.CONFLICT));
    }

    @Test
    void shouldRecreateAMissingBridgeWhenTheNetworkIsCreatedAgain() throws Exception {
        String name = settings.bridgePrefix() + "-again";
        NetworkDefinition network = createNetwork(network(Map.of(BridgeDriver.BRIDGE_NAME, name), false));
        commands.run("ip", "link", "del", name);

        bridge.createNetwork(network);

        assertThat(SYS_NET.resolve(name)).exists();
        assertThat(commands.run("ip", "-4", "addr", "show", "dev", name))
                .contains(network.ipv4().get(0).gateway());
    }

    @Test
    void shouldKeepConnectivityAndRemoveOrphansWhenReconciledByANewDriver() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        Attached a = attach(network, 0);
        Attached b = attach(network, 1);
        Files.writeString(webRoot.resolve("index.html"), "still-here");
        startIn(b.sandbox(), "busybox", "httpd", "-f", "-p", "80", "-h", webRoot.toString());
        List<PortMapping> published = bridge.programExternalConnectivity(network.networkId(), b.endpointId(),
                List.of(new PortMapping("tcp", 80, "", 0)));
        int port = published.get(0).hostPort();
        String veth = "veth" + a.endpointId().substring(0, 7);
        String ifindex = Files.readString(SYS_NET.resolve(veth).resolve("ifindex"));
        String orphanBridge = settings.bridgePrefix() + "-orphan";
        String orphanEndpoint = randomId();
        String orphanVeth = "veth" + orphanEndpoint.substring(0, 7);
        commands.ipBatch(List.of("link add name " + orphanBridge + " type bridge",
                "link add name " + orphanVeth + " master " + bridgeOf(network) + " type veth peer name vp"
                        + orphanEndpoint.substring(0, 7)));
        bridge.close();
        commands.run("iptables", "-t", "nat", "-F", settings.chainPrefix());

        bridge = new BridgeDriver(settings, commands);
        driver = bridge;
        bridge.reconcile(List.of(network), List.of(
                new LiveEndpoint(network.networkId(), a.endpointId(), addressFor(network, 0), List.of()),
                new LiveEndpoint(network.networkId(), b.endpointId(), addressFor(network, 1), published)));

        assertThat(SYS_NET.resolve(orphanBridge)).doesNotExist();
        assertThat(SYS_NET.resolve(orphanVeth)).doesNotExist();
        assertThat(Files.readString(SYS_NET.resolve(veth).resolve("ifindex"))).isEqualTo(ifindex);
        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W2", b.ip())).isZero();
        assertThat(runIn(a.sandbox(), "busybox", "ping", "-c1", "-W2", hostAddress())).isZero();
        assertThat(awaitValue(() -> httpGet("127.0.0.1", port))).contains("still-here");
        assertThatThrownBy(() -> new ServerSocket(port).close()).isInstanceOf(BindException.class);
        assertThat(commands.run("iptables-save", "-t", "filter").lines()
                .filter(line -> line.equals("-A FORWARD -j " + settings.chainPrefix() + "-FORWARD"))).hasSize(1);
    }

    @Test
    void shouldLeaveNothingBehindAfter200Cycles() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        List<Long> attachNanos = new ArrayList<>();
        List<Long> attachProcesses = new ArrayList<>();
        for (int cycle = 0; cycle < 200; cycle++) {
            String container = randomId();
            String endpoint = randomId();
            Path sandbox = sandboxes.create(container);
            EndpointAddresses address = addressFor(network, cycle % 200);
            long processesBefore = commands.processesStarted();
            long start = System.nanoTime();
            EndpointAddresses answer = bridge.createEndpoint(network.networkId(), endpoint, address);
            JoinInfo join = bridge.join(network.networkId(), endpoint, sandbox);
            sandboxes.addInterface(sandbox, join, withMac(address, answer), 1500, true);
            attachNanos.add(System.nanoTime() - start);
            attachProcesses.add(commands.processesStarted() - processesBefore);
            bridge.programExternalConnectivity(network.networkId(), endpoint,
                    List.of(new PortMapping("tcp", 80, "", 0)));

            bridge.revokeExternalConnectivity(network.networkId(), endpoint);
            bridge.leave(network.networkId(), endpoint);
            bridge.deleteEndpoint(network.networkId(), endpoint);
            sandboxes.delete(container);
        }

        List<Long> first50 = attachNanos.subList(0, 50).stream().sorted().toList();
        double medianMs = (first50.get(24) + first50.get(25)) / 2e6;
        System.out.printf("bridge attach: processes_per_attach=%d median_ms=%.2f%n", attachProcesses.get(0),
                medianMs);
        assertThat(attachProcesses).allMatch(count -> count <= 3);
        assertThat(sandboxes.existing()).isEmpty();
        assertThat(ourLinks()).containsExactly(bridgeOf(network));
        assertThat(natRules()).doesNotContain("DNAT");
        assertThat(filterRules()).doesNotContain("--dport 80");
    }

    private NetworkDefinition network(Map<String, String> options, boolean internal) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String base = "10." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + ".";
        return new NetworkDefinition(randomId(), "it-" + random.nextInt(100000), options, internal, false,
                List.of(new AddressPool("LocalDefault", base + "0/24", base + "1/24", Map.of())), List.of());
    }

    private String bridgeOf(NetworkDefinition network) {
        return network.option(BridgeDriver.BRIDGE_NAME,
                BridgeDriver.defaultBridgeName(settings.bridgePrefix(), network.networkId()));
    }

    private Attached attach(NetworkDefinition network, int n) {
        Path sandbox = sandboxes.create(randomId());
        String endpoint = randomId();
        EndpointAddresses address = addressFor(network, n);
        EndpointAddresses answer = bridge.createEndpoint(network.networkId(), endpoint, address);
        JoinInfo join = bridge.join(network.networkId(), endpoint, sandbox);
        String name = sandboxes.addInterface(sandbox, join, withMac(address, answer), 1500, true);
        assertThat(sandboxes.interfaces(sandbox)).contains("lo", name);
        String ip = address.address().substring(0, address.address().indexOf('/'));
        return new Attached(sandbox, endpoint, ip);
    }

    private static EndpointAddresses withMac(EndpointAddresses address, EndpointAddresses answer) {
        return new EndpointAddresses(address.address(), address.addressIpv6(), answer.macAddress());
    }

    private Process startIn(Path sandbox, String... argv) throws IOException {
        Process process = NetNamespace.inside(sandbox, () -> new ProcessBuilder(argv)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        processes.add(process);
        return process;
    }

    private int runIn(Path sandbox, String... argv) throws Exception {
        Process process = startIn(sandbox, argv);
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("%s finished", List.of(argv)).isTrue();
        return process.exitValue();
    }

    private void startUdpEcho(Path sandbox, int port) throws IOException {
        DatagramChannel server = NetNamespace.inside(sandbox, () -> {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(port));
            return channel;
        });
        sockets.add(server);
        Thread echo = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            try {
                while (true) {
                    buffer.clear();
                    SocketAddress from = server.receive(buffer);
                    buffer.flip();
                    server.send(buffer, from);
                }
            } catch (ClosedChannelException closed) {
                // The test is over.
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "udp-echo");
        echo.setDaemon(true);
        echo.start();
    }

    private static String httpGet(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String udpRoundTrip(String host, int port, String text) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(300);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(host, port)));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            socket.receive(reply);
            return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
        }
    }

    /** Polls until {@code probe} answers without failing, for at most ten seconds; answers its last failure. */
    private static <T> T awaitValue(Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return probe.call();
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private String hostAddress() {
        String route = commands.run("ip", "route", "get", "1.1.1.1");
        String[] words = route.split("\\s+");
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals("src")) {
                return words[i + 1];
            }
        }
        throw new IllegalStateException("no source address in: " + route);
    }

    private String natRules() {
        return ourRules(commands.run("iptables-save", "-t", "nat"));
    }

    private String filterRules() {
        return ourRules(commands.run("iptables-save", "-t", "filter"));
    }

    private String ourRules(String save) {
        String prefix = settings.chainPrefix();
        return String.join("\n", save.lines().filter(line -> line.contains(prefix)).toList());
    }

    /** Links this test may have made: its bridges and the veths of every id it used. */
    private List<String> ourLinks() throws IOException {
        List<String> names = new ArrayList<>();
        for (String id : idsUsed()) {
            names.add("veth" + id.substring(0, 7));
            names.add("vp" + id.substring(0, 7));
        }
        try (Stream<Path> links = Files.list(SYS_NET)) {
            return links.map(p -> p.getFileName().toString())
                    .filter(name -> names.contains(name) || name.startsWith(settings.bridgePrefix() + "-")
                            || name.equals(settings.defaultBridge()))
                    .toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
