package dev.keel.httpapi.transport;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.IgnoreComplete$;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API on TCP: Pekko's TCP connections joined to the HTTP server layer through a
 * {@link HijackableConnection}, as on the unix socket (Pekko HTTP's own binding gives no way to take a connection
 * over), with {@link ServerTls} between the connection and the bytes when asked. Connections are bound
 * half-closable, so a client that ends its input still gets the rest of a hijacked stream; over TLS a client's
 * close_notify likewise ends only its direction.
 *
 * @param connections shuts every open connection at {@link #terminate}
 */
record TcpListener(ListenAddress.Tcp address, Tcp.ServerBinding binding, SharedKillSwitch connections)
        implements ApiListener {

    private static final int BACKLOG = 1024;

    static CompletionStage<ApiListener> bind(ListenAddress.Tcp tcp, Optional<ServerTls> tls,
                                             Flow<HttpRequest, HttpResponse, NotUsed> handler, ActorSystem<?> system) {
        BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> http =
                UnixSocketListener.httpOverBytes(system);
        // Unreadable certificates fail the bind at once, with the operator's message.
        Optional<BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed>> encryption =
                tls.map(TcpListener::encryption);
        SharedKillSwitch connections = KillSwitches.shared("keeld-tcp-connections");
        Materializer materializer = Materializer.matFromSystem(system);
        return Tcp.get(system).bind(tcp.host(), tcp.port(), BACKLOG, List.of(), true, Optional.empty())
                .to(Sink.foreach(connection -> {
                    Flow<ByteString, ByteString, NotUsed> wire =
                            Flow.of(ByteString.class).via(connections.flow()).via(connection.flow()).via(connections.flow());
                    HijackableConnection.serve(encryption.map(e -> e.join(wire)).orElse(wire), http, handler)
                            .run(materializer);
                }))
                .run(materializer)
                .thenApply(binding -> new TcpListener(
                        new ListenAddress.Tcp(tcp.host(), binding.localAddress().getPort()), binding, connections));
    }

    /**
     * Plain bytes above, TLS records below. A client's close_notify completes the plain side's input only
     * (ignoreComplete), so a half-closed hijacked stream keeps sending, as over plain TCP.
     */
    private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> encryption(ServerTls tls) {
        SSLContext context = tls.context();
        BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> records =
                TLS.create(() -> tls.engine(context), IgnoreComplete$.MODULE$);
        BidiFlow<ByteString, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, ByteString, NotUsed> plain =
                BidiFlow.fromFlows(
                        Flow.of(ByteString.class).map(bytes -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(bytes)),
                        Flow.of(TLSProtocol.SslTlsInbound.class)
                                .filter(in -> in instanceof TLSProtocol.SessionBytes)
                                .map(in -> ((TLSProtocol.SessionBytes) in).bytes()));
        return plain.atop(records);
    }

    @Override
    public String uri() {
        return address.uri();
    }

    @Override
    public CompletionStage<Done> unbind() {
        return binding.unbind().thenApply(unbound -> Done.getInstance());
    }

    @Override
    public CompletionStage<Done> terminate(Duration deadline) {
        connections.shutdown();
        return CompletableFuture.completedFuture(Done.getInstance());
    }
}
