package dev.keel.httpapi.transport;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;

/** A bound Engine API endpoint. */
public interface ApiListener {

    /** Where it listens, as {@code -H} would say it; for TCP port 0 the port actually bound. */
    String uri();

    /** Stops accepting connections (and removes a unix socket file); open connections go on. */
    CompletionStage<Done> unbind();

    /** Closes every open connection, giving in-flight requests up to {@code deadline}. */
    CompletionStage<Done> terminate(Duration deadline);

    /**
     * Binds {@code handler} to {@code address}.
     *
     * @param socketGroup group owning a unix socket file (mode 0660)
     * @param tls         for a TCP address; unix sockets are always plain
     */
    static CompletionStage<ApiListener> bind(ListenAddress address, String socketGroup, Optional<ServerTls> tls,
                                             Flow<HttpRequest, HttpResponse, NotUsed> handler, ActorSystem<?> system) {
        if (address instanceof ListenAddress.UnixSocket unix) {
            return UnixSocketListener.bind(unix, socketGroup, handler, system);
        }
        return TcpListener.bind((ListenAddress.Tcp) address, tls, handler, system);
    }
}
