package dev.keel.httpapi.transport;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Plain TCP on loopback: Pekko's TCP connections joined to the HTTP server layer through a
 * {@link HijackableConnection}, as on the unix socket (Pekko HTTP's own binding gives no way to take a connection
 * over). Connections are bound half-closable, so a client that ends its input still gets the rest of a hijacked
 * stream.
 *
 * @param connections shuts every open connection at {@link #terminate}
 */
record TcpListener(ListenAddress.Tcp address, Tcp.ServerBinding binding, SharedKillSwitch connections)
        implements ApiListener {

    private static final int BACKLOG = 1024;

    static CompletionStage<ApiListener> bind(ListenAddress.Tcp tcp, Flow<HttpRequest, HttpResponse, NotUsed> handler,
                                             ActorSystem<?> system) {
        BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> http =
                UnixSocketListener.httpOverBytes(system);
        SharedKillSwitch connections = KillSwitches.shared("keeld-tcp-connections");
        Materializer materializer = Materializer.matFromSystem(system);
        return Tcp.get(system).bind(tcp.host(), tcp.port(), BACKLOG, List.of(), true, Optional.empty())
                .to(Sink.foreach(connection -> HijackableConnection.serve(
                        Flow.of(ByteString.class).via(connections.flow()).via(connection.flow()).via(connections.flow()),
                        http, handler).run(materializer)))
                .run(materializer)
                .thenApply(binding -> new TcpListener(
                        new ListenAddress.Tcp(tcp.host(), binding.localAddress().getPort()), binding, connections));
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
