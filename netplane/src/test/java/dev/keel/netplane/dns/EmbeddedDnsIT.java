package dev.keel.netplane.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.os.netns.NetNamespace;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The embedded DNS in a real network namespace, asked by busybox's nslookup and by raw sockets in the namespace. */
class EmbeddedDnsIT {

    private static final InetSocketAddress DNS = new InetSocketAddress("127.0.0.11", 53);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(2);

    private static Path root;
    private static Path netns;
    private static UpstreamServer upstream;

    private final NameTable names = new NameTable() {
        private final Map<String, List<InetAddress>> table = Map.of(
                "web", List.of(address("10.77.0.5")),
                "web.mynet", List.of(address("10.77.0.5")),
                "db", List.of(address("10.77.0.6"), address("fd77::6")));

        @Override
        public List<InetAddress> lookup(String name) {
            return table.getOrDefault(name, List.of());
        }

        @Override
        public Optional<String> reverse(InetAddress address) {
            return address.equals(address("10.77.0.5")) ? Optional.of("web.mynet") : Optional.empty();
        }
    };
    private EmbeddedDns dns;

    @BeforeAll
    static void createNamespaceAndUpstream() throws Exception {
        root = Files.createTempDirectory("keel-dns-it");
        netns = root.resolve("sandbox");
        NetNamespace.create(netns);
        assertThat(runInside("ip", "link", "set", "lo", "up").exitCode()).isZero();
        upstream = new UpstreamServer();
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (netns != null) {
            NetNamespace.delete(netns);
        }
        Files.deleteIfExists(root);
    }

    @AfterEach
    void closeDns() throws IOException {
        if (dns != null) {
            dns.close();
        }
    }

    private EmbeddedDns attached(List<InetSocketAddress> upstreams) throws IOException {
        dns = new EmbeddedDns(upstreams, FORWARD_TIMEOUT);
        dns.attach("sandbox-1", netns, names);
        return dns;
    }

    @Test
    void shouldResolveAKnownNameForBusyboxNslookup() throws Exception {
        attached(List.of(upstream.address()));

        Output lookup = runInside("busybox", "nslookup", "web", "127.0.0.11");

        assertThat(lookup.exitCode()).isZero();
        assertThat(lookup.text()).contains("Name:\tweb").contains("Address: 10.77.0.5");
    }

    @Test
    void shouldAnswerPtrForAKnownAddress() throws Exception {
        attached(List.of(upstream.address()));

        Output lookup = runInside("busybox", "nslookup", "10.77.0.5", "127.0.0.11");

        assertThat(lookup.exitCode()).isZero();
        assertThat(lookup.text()).contains("5.0.77.10.in-addr.arpa\tname = web.mynet");
    }

    @Test
    void shouldForwardOtherNamesToTheUpstream() throws Exception {
        attached(List.of(upstream.address()));

        Output lookup = runInside("busybox", "nslookup", "upstream.test", "127.0.0.11");

        assertThat(lookup.exitCode()).isZero();
        assertThat(lookup.text()).contains("Address: 192.0.2.77");
    }

    @Test
    void shouldPassTheUpstreamsNxdomainThrough() throws Exception {
        attached(List.of(upstream.address()));

        Message answer = askOverUdp(query("nosuch.test", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void shouldAnswerServfailWhenTheUpstreamIsDown() throws Exception {
        attached(List.of(new InetSocketAddress("127.0.0.1", closedUdpPort())));

        Message answer = askOverUdp(query("upstream.test", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(answer.getHeader().getFlag(Flags.QR)).isTrue();
    }

    @Test
    void shouldAnswerServfailWhenTheUpstreamDoesNotAnswerInTime() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            dns = new EmbeddedDns(List.of((InetSocketAddress) silent.getLocalSocketAddress()), Duration.ofMillis(300));
            dns.attach("sandbox-1", netns, names);

            Message answer = askOverUdp(query("upstream.test", Type.A));

            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
    }

    @Test
    void shouldForwardToTheSandboxsOwnUpstreamsWhenGiven() throws Exception {
        dns = new EmbeddedDns(List.of(new InetSocketAddress("127.0.0.1", closedUdpPort())), FORWARD_TIMEOUT);
        dns.attach("sandbox-1", netns, names, List.of(upstream.address()));

        Message answer = askOverUdp(query("upstream.test", Type.A));

        assertThat(answer.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.77");
    }

    @Test
    void shouldTryTheNextUpstreamWhenOneIsDown() throws Exception {
        attached(List.of(new InetSocketAddress("127.0.0.1", closedUdpPort()), upstream.address()));

        Message answer = askOverUdp(query("upstream.test", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.77");
    }

    @Test
    void shouldAnswerOverTcp() throws Exception {
        attached(List.of(upstream.address()));

        Message answer = askOverTcp(query("db", Type.A));

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.77.0.6");
        assertThat(answer.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(600);
    }

    @Test
    void shouldForwardOverTcp() throws Exception {
        attached(List.of(upstream.address()));

        Message answer = askOverTcp(query("upstream.test", Type.A));

        assertThat(answer.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.77");
    }

    @Test
    void shouldAnswerAaaaForAKnownIpv6Address() throws Exception {
        attached(List.of(upstream.address()));

        Message answer = askOverUdp(query("DB", Type.AAAA));

        assertThat(answer.getSection(Section.ANSWER)).singleElement()
                .isInstanceOfSatisfying(AAAARecord.class, aaaa -> assertThat(aaaa.getAddress())
                        .isEqualTo(address("fd77::6")));
    }

    @Test
    void shouldAnswerEmptyNoerrorForAaaaOfANameWithoutIpv6() throws Exception {
        attached(List.of(upstream.address()));
        int forwardedBefore = upstream.queries();

        Message answer = askOverUdp(query("web", Type.AAAA));

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).isEmpty();
        assertThat(upstream.queries()).isEqualTo(forwardedBefore);
    }

    @Test
    void shouldCloseTheSocketsOnDetach() throws Exception {
        attached(List.of(upstream.address()));

        dns.detach("sandbox-1");

        boolean bothFree = NetNamespace.inside(netns, () -> {
            try (DatagramChannel udp = DatagramChannel.open().bind(DNS);
                 ServerSocketChannel tcp = ServerSocketChannel.open().bind(DNS)) {
                return udp.isOpen() && tcp.isOpen();
            }
        });
        assertThat(bothFree).isTrue();
    }

    @Test
    void shouldIgnoreASecondAttachAndAnUnknownDetach() throws Exception {
        attached(List.of(upstream.address()));

        dns.attach("sandbox-1", netns, names);
        dns.detach("no-such-sandbox");

        assertThat(askOverUdp(query("web", Type.A)).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void shouldAnswerAKnownNameQuickly() throws Exception {
        attached(List.of(upstream.address()));
        int queries = 1_000;
        long[] nanos = new long[queries];
        DatagramSocket socket = NetNamespace.inside(netns, () -> connectedSocket());
        try (socket) {
            byte[] wire = query("web", Type.A).toWire();
            byte[] buffer = new byte[512];
            for (int i = 0; i < queries; i++) {
                long start = System.nanoTime();
                socket.send(new DatagramPacket(wire, wire.length));
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                nanos[i] = System.nanoTime() - start;
                assertThat(new Message(Arrays.copyOf(buffer, in.getLength())).getSection(Section.ANSWER)).hasSize(1);
            }
        }
        Arrays.sort(nanos);
        long medianUs = TimeUnit.NANOSECONDS.toMicros(nanos[queries / 2]);
        System.out.println("dns: known_name_median_us=" + medianUs + " p99_us="
                + TimeUnit.NANOSECONDS.toMicros(nanos[queries * 99 / 100]));

        assertThat(medianUs).isLessThan(5_000);
    }

    private static Message query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
    }

    private static Message askOverUdp(Message query) throws IOException {
        DatagramSocket socket = NetNamespace.inside(netns, EmbeddedDnsIT::connectedSocket);
        try (socket) {
            byte[] wire = query.toWire();
            socket.send(new DatagramPacket(wire, wire.length));
            byte[] buffer = new byte[65535];
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            socket.receive(in);
            Message answer = new Message(Arrays.copyOf(buffer, in.getLength()));
            assertThat(answer.getHeader().getID()).isEqualTo(query.getHeader().getID());
            return answer;
        }
    }

    private static Message askOverTcp(Message query) throws IOException {
        return NetNamespace.inside(netns, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(DNS, 2_000);
                socket.setSoTimeout(5_000);
                byte[] wire = query.toWire();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                return new Message(answer);
            }
        });
    }

    private static DatagramSocket connectedSocket() throws SocketException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout((int) FORWARD_TIMEOUT.multipliedBy(3).toMillis());
        socket.connect(DNS);
        return socket;
    }

    /** A UDP port on the host's loopback that nothing listens on: bound, then released. */
    private static int closedUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return socket.getLocalPort();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private record Output(int exitCode, String text) {}

    private static Output runInside(String... command) throws IOException {
        Process process = NetNamespace.inside(netns, () -> new ProcessBuilder(command).redirectErrorStream(true)
                .start());
        try {
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            return new Output(process.exitValue(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A resolver on the host's loopback: upstream.test is 192.0.2.77, every other name does not exist. */
    private static final class UpstreamServer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final Thread thread = new Thread(this::serve, "upstream-dns");
        private volatile int queries;

        UpstreamServer() throws SocketException {
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        int queries() {
            return queries;
        }

        private void serve() {
            byte[] buffer = new byte[65535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                    socket.receive(in);
                    queries++;
                    Message query = new Message(Arrays.copyOf(buffer, in.getLength()));
                    Message answer = new Message(query.getHeader().getID());
                    answer.getHeader().setFlag(Flags.QR);
                    answer.addRecord(query.getQuestion(), Section.QUESTION);
                    Name name = query.getQuestion().getName();
                    if (!name.equals(Name.fromString("upstream.test."))) {
                        answer.getHeader().setRcode(Rcode.NXDOMAIN);
                    } else if (query.getQuestion().getType() == Type.A) {
                        answer.addRecord(new ARecord(name, DClass.IN, 60, EmbeddedDnsIT.address("192.0.2.77")),
                                Section.ANSWER);
                    }
                    byte[] wire = answer.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, in.getSocketAddress()));
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join();
        }
    }
}
