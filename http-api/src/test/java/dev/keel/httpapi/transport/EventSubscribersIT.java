package dev.keel.httpapi.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.httpapi.ShortExecRoot;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 clients following {@code GET /events} on keeld's unix socket at once: each gets its stream, other requests
 * are still answered promptly, keeld's threads stay bounded, and a new event reaches every one of them.
 */
class EventSubscribersIT {

    private static final int SUBSCRIBERS = 1000;
    private static final int PROBES = 20;
    private static final Duration PROMPT = Duration.ofSeconds(1);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private Path dir;
    private Path execRoot;
    private Path socket;
    private LaunchedKeeld keeld;
    private final List<SocketChannel> subscribers = new ArrayList<>();

    @BeforeEach
    void startKeeld() throws Exception {
        dir = Files.createTempDirectory("keel-subscribers-it");
        execRoot = ShortExecRoot.create("ks");
        socket = dir.resolve("keel.sock");
        keeld = LaunchedKeeld.start(dir, execRoot, "-H", "unix://" + socket);
    }

    @AfterEach
    void stopAndClean() throws Exception {
        for (SocketChannel channel : subscribers) {
            channel.close();
        }
        if (keeld != null) {
            keeld.kill();
        }
        for (Path root : List.of(dir, execRoot)) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void shouldServeAThousandEventSubscribersAndEverythingElse() throws Exception {
        try (Selector selector = Selector.open()) {
            Map<SocketChannel, StringBuilder> received = subscribe(selector);
            readUntil(selector, received, text -> text.indexOf("\r\n\r\n") >= 0, "the response headers of GET /events");
            for (StringBuilder text : received.values()) {
                assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("transfer-encoding: chunked");
            }

            long[] pingNanos = timed("/_ping", "OK");
            long[] listNanos = timed("/containers/json", "[]");
            int threads = keeld.threads();

            System.out.printf("event-subscribers: subscribers=%d ping_p99_ms=%.1f containers_json_p99_ms=%.1f threads=%d%n",
                    SUBSCRIBERS, p99(pingNanos) / 1e6, p99(listNanos) / 1e6, threads);
            assertThat(Arrays.stream(pingNanos).max().orElseThrow()).as("slowest /_ping, ns").isLessThan(PROMPT.toNanos());
            assertThat(Arrays.stream(listNanos).max().orElseThrow()).as("slowest /containers/json, ns")
                    .isLessThan(PROMPT.toNanos());
            assertThat(threads).as("keeld's threads with %d subscribers", SUBSCRIBERS).isLessThan(150);

            String response = exchange("POST", "/v1.41/images/create?fromSrc=-&repo=keel-subscribers&tag=1", rootfsTar());
            assertThat(response).startsWith("HTTP/1.1 200 OK");
            readUntil(selector, received, text -> text.indexOf("\"Action\":\"tag\"") >= 0, "the image's tag event");
        }
    }

    private Map<SocketChannel, StringBuilder> subscribe(Selector selector) throws IOException {
        Map<SocketChannel, StringBuilder> received = new HashMap<>();
        byte[] request = "GET /v1.41/events HTTP/1.1\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < SUBSCRIBERS; i++) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            subscribers.add(channel);
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            received.put(channel, new StringBuilder());
        }
        return received;
    }

    /** Reads every subscriber until each one's text meets {@code condition}; fails after {@link #PATIENCE}. */
    private static void readUntil(Selector selector, Map<SocketChannel, StringBuilder> received, Predicate<StringBuilder> condition,
                                  String what) throws IOException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (received.values().stream().anyMatch(text -> !condition.test(text))) {
            long left = deadline - System.nanoTime();
            long waiting = received.values().stream().filter(text -> !condition.test(text)).count();
            assertThat(left).as("%d of %d subscribers still waiting for %s", waiting, received.size(), what).isPositive();
            selector.select(Math.max(1, left / 1_000_000));
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel channel = (SocketChannel) key.channel();
                buffer.clear();
                int read = channel.read(buffer);
                assertThat(read).as("a subscriber's stream ended while waiting for %s", what).isNotNegative();
                received.get(channel).append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
            }
            selector.selectedKeys().clear();
        }
    }

    private long[] timed(String path, String body) throws IOException {
        long[] nanos = new long[PROBES];
        for (int i = 0; i < PROBES; i++) {
            long started = System.nanoTime();
            String response = exchange("GET", path, null);
            nanos[i] = System.nanoTime() - started;
            assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith(body);
        }
        return nanos;
    }

    private static double p99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    /** One request on a fresh connection that the server closes after its response. */
    private String exchange(String method, String path, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String head = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            ByteBuffer out = ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            if (body != null) {
                ByteBuffer content = ByteBuffer.wrap(body);
                while (content.hasRemaining()) {
                    channel.write(content);
                }
            }
            StringBuilder response = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer.clear()) >= 0) {
                response.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
            }
            return response.toString();
        }
    }

    /** A one-file root filesystem, archived by the system's tar. */
    private byte[] rootfsTar() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(tree.resolve("hello.txt"), "hello\n");
        Path tar = dir.resolve("rootfs.tar");
        Process process = new ProcessBuilder("tar", "-C", tree.toString(), "-cf", tar.toString(), ".").inheritIO().start();
        assertThat(process.waitFor()).isZero();
        return Files.readAllBytes(tar);
    }
}
