package dev.keel.httpapi.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hijacked connections on both transports, with a raw client: {@code /attach} answers with a hijack whose streams
 * upper-case what the client sends and say "bye" when the client's input ends; anything else is an ordinary "pong".
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HijackableConnectionTest {

    private static final String UPGRADE_REQUEST = "POST /attach HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n"
            + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

    private static ActorSystem<Void> system;
    private static Path dir;
    private static ApiListener unix;
    private static ApiListener tcp;

    @BeforeAll
    static void bind() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "hijack-test");
        dir = Files.createTempDirectory("keel-hijack-");
        Flow<ByteString, ByteString, NotUsed> shout = Flow.of(ByteString.class)
                .map(bytes -> ByteString.fromString(bytes.utf8String().toUpperCase(Locale.ROOT)))
                .concat(Source.single(ByteString.fromString("bye")));
        Flow<HttpRequest, HttpResponse, NotUsed> handler = Flow.of(HttpRequest.class).map(request -> {
            request.discardEntityBytes(system);
            if (request.getUri().path().equals("/attach")) {
                boolean upgrade = request.getHeader("Upgrade").isPresent();
                return (upgrade ? Hijack.upgraded("application/vnd.docker.raw-stream", shout)
                        : Hijack.plain("application/vnd.docker.raw-stream", shout)).response()
                        .addHeader(RawHeader.create("Api-Version", "1.41"));
            }
            return HttpResponse.create().withEntity("pong");
        });
        unix = ApiListener.bind(new ListenAddress.UnixSocket(dir.resolve("api.sock")), groupOfRoot(), Optional.empty(), handler, system)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        tcp = ApiListener.bind(new ListenAddress.Tcp("127.0.0.1", 0), groupOfRoot(), Optional.empty(), handler, system)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String groupOfRoot() throws IOException {
        return Files.readAttributes(Path.of("/"), java.nio.file.attribute.PosixFileAttributes.class).group().getName();
    }

    @AfterAll
    static void unbind() throws IOException {
        unix.terminate(Duration.ofSeconds(1)).toCompletableFuture().join();
        tcp.terminate(Duration.ofSeconds(1)).toCompletableFuture().join();
        system.terminate();
        Files.deleteIfExists(dir.resolve("api.sock"));
        Files.deleteIfExists(dir);
    }

    private static SocketChannel connectUnix() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        return channel;
    }

    private static SocketChannel connectTcp() throws IOException {
        int port = Integer.parseInt(tcp.uri().substring(tcp.uri().lastIndexOf(':') + 1));
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    private static void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads until {@code text} has arrived (or the end), returning all that was read. */
    private static String readUntil(SocketChannel channel, String text) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!read.toString(StandardCharsets.ISO_8859_1).contains(text)) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            read.write(buffer.array(), 0, n);
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readToEnd(SocketChannel channel) throws IOException {
        return readUntil(channel, "\u0000never\u0000");
    }

    private static void assertHijackedConversation(SocketChannel channel) throws IOException {
        send(channel, UPGRADE_REQUEST);
        String head = readUntil(channel, "\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 101 UPGRADED\r\n")
                .contains("Content-Type: application/vnd.docker.raw-stream\r\n", "Connection: Upgrade\r\n",
                        "Upgrade: tcp\r\n", "Api-Version: 1.41\r\n")
                .endsWith("\r\n\r\n");

        send(channel, "hello");
        assertThat(readUntil(channel, "HELLO")).isEqualTo("HELLO");
        channel.shutdownOutput();

        assertThat(readToEnd(channel)).isEqualTo("bye");
    }

    @Test
    void shouldHandTheUnixConnectionOverAndKeepWritingAfterTheClientsHalfClose() throws IOException {
        try (SocketChannel channel = connectUnix()) {
            assertHijackedConversation(channel);
        }
    }

    @Test
    void shouldHandTheTcpConnectionOverAndKeepWritingAfterTheClientsHalfClose() throws IOException {
        try (SocketChannel channel = connectTcp()) {
            assertHijackedConversation(channel);
        }
    }

    @Test
    void shouldHijackAConnectionThatAlreadyServedAnOrdinaryRequest() throws IOException {
        try (SocketChannel channel = connectUnix()) {
            send(channel, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
            assertThat(readUntil(channel, "pong")).startsWith("HTTP/1.1 200 OK").endsWith("pong");

            assertHijackedConversation(channel);
        }
    }

    @Test
    void shouldAnswerAnOldClientWithoutUpgradeWithAPlainRawStream() throws IOException {
        try (SocketChannel channel = connectUnix()) {
            send(channel, "POST /attach HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n");
            String head = readUntil(channel, "\r\n\r\n");
            channel.shutdownOutput();

            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Content-Type: application/vnd.docker.raw-stream\r\n")
                    .doesNotContain("Upgrade", "Content-Length", "Transfer-Encoding");
            assertThat(readToEnd(channel)).isEqualTo("bye");
        }
    }
}
