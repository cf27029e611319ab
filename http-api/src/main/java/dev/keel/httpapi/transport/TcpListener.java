package dev.keel.httpapi.transport;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Plain TCP on loopback, served by Pekko HTTP's own server. */
record TcpListener(ListenAddress.Tcp address, ServerBinding binding) implements ApiListener {

    @Override
    public String uri() {
        return address.uri();
    }

    @Override
    public CompletionStage<Done> unbind() {
        return binding.unbind();
    }

    @Override
    public CompletionStage<Done> terminate(Duration deadline) {
        return binding.terminate(deadline).thenApply(terminated -> Done.getInstance());
    }
}
