package dev.keel.httpapi.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine API on a unix socket: Pekko HTTP's server layer over non-blocking JDK unix
 * channels. Pekko has no unix socket transport, so each accepted channel becomes a
 * {@link UnixConnectionStage} joined to the HTTP layer through a {@link HijackableConnection}; one
 * {@link SelectorLoop} thread watches all connections, so idle clients (event subscribers) cost no threads.
 */
final class UnixSocketListener implements ApiListener {

    private static final Logger log = LoggerFactory.getLogger(UnixSocketListener.class);
    private static final int READ_CHUNK_BYTES = 16 * 1024;
    /** The host dockerd's clients name when they dial a unix socket. */
    private static final String DEFAULT_HOST = "docker";

    private final ListenAddress.UnixSocket address;
    private final ServerSocketChannel server;
    private final SelectorLoop loop;
    private final BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> http;
    private final Flow<HttpRequest, HttpResponse, NotUsed> handler;
    private final Materializer materializer;
    private final Executor executor;
    private SelectorLoop.Registration acceptor;

    private UnixSocketListener(ListenAddress.UnixSocket address, ServerSocketChannel server,
                               Flow<HttpRequest, HttpResponse, NotUsed> handler, ActorSystem<?> system) {
        this.address = address;
        this.server = server;
        this.http = httpOverBytes(system);
        this.handler = handler;
        this.materializer = Materializer.matFromSystem(system);
        this.executor = system.executionContext();
        this.loop = new SelectorLoop("keeld-unix-socket");
    }

    static CompletionStage<ApiListener> bind(ListenAddress.UnixSocket address, String group,
                                             Flow<HttpRequest, HttpResponse, NotUsed> handler, ActorSystem<?> system) {
        try {
            UnixSocketListener listener = new UnixSocketListener(address, open(address.path(), group), handler, system);
            listener.start();
            return CompletableFuture.completedFuture(listener);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The HTTP server layer with TLS skipped; the unchecked cast bridges SessionBytes and SslTlsInbound. The Docker
     * CLI sends its hijacking requests (attach, exec start) with an empty {@code Host} header, which Pekko refuses
     * unless a default host is configured, so one is supplied when the configuration has none.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> httpOverBytes(ActorSystem<?> system) {
        ServerSettings settings = ServerSettings.create(system.settings().config());
        if (settings.getDefaultHostHeader().host().address().isEmpty()) {
            settings = settings.withDefaultHostHeader(Host.create(DEFAULT_HOST));
        }
        return Http.get(system).serverLayer(settings).atop((BidiFlow) TLSPlacebo.getInstance());
    }

    private static ServerSocketChannel open(Path path, String group) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        removeStaleSocket(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1024);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            setGroup(path, group);
            server.configureBlocking(false);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** A socket file left by a killed daemon blocks bind; one that still answers belongs to a live daemon. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("unix://" + path + " is in use by another running daemon");
        } catch (ConnectException stale) {
            Files.delete(path);
        }
    }

    private static void setGroup(Path path, String group) throws IOException {
        GroupPrincipal principal;
        try {
            principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("group \"" + group + "\" for unix://" + path + " does not exist (--group)");
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(principal);
    }

    private void start() {
        acceptor = loop.register(server, SelectionKey.OP_ACCEPT, ready -> executor.execute(this::acceptAll));
    }

    private void acceptAll() {
        try {
            for (SocketChannel channel = server.accept(); channel != null; channel = server.accept()) {
                channel.configureBlocking(false);
                HijackableConnection.serve(Flow.fromGraph(new UnixConnectionStage(channel, loop, READ_CHUNK_BYTES)),
                        http, handler).run(materializer);
            }
            acceptor.interest(SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            if (server.isOpen()) {
                log.error("accepting on {} failed; no new connections will be accepted", uri(), e);
            }
        }
    }

    @Override
    public String uri() {
        return address.uri();
    }

    @Override
    public CompletionStage<Done> unbind() {
        try {
            acceptor.close();
            Files.deleteIfExists(address.path());
            return CompletableFuture.completedFuture(Done.getInstance());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Done> terminate(Duration deadline) {
        try {
            loop.close();
            return CompletableFuture.completedFuture(Done.getInstance());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
