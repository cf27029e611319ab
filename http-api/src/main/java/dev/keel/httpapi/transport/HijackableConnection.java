package dev.keel.httpapi.transport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import scala.jdk.javaapi.FutureConverters;
import org.slf4j.LoggerFactory;

/**
 * One API connection whose requests may {@link Hijack hijack} it: sits between the byte transport (a unix socket
 * stage or a TCP connection) and Pekko HTTP's server layer, which cannot switch protocols itself.
 *
 * <p>How: {@link #serve} wraps the route's flow so that a response carrying a {@link Hijack} is handed to this
 * connection's stage, and the HTTP layer gets a stand-in that closes it (it needs one response per request). The
 * hand-over completes a future before the stand-in goes on, so when the stand-in's bytes reach the stage it knows to
 * drop them, whatever the order in which they and the hijack arrive. Until then the stage passes bytes through both
 * ways. On the hijack it detaches the HTTP layer (completes its request bytes, cancels its response bytes), writes the
 * hijack's head, and splices the client's bytes to the hijack's streams for the rest of the connection. A Docker
 * client reads the whole of a response before its next request and sends nothing on a hijacked connection before the
 * head, so no other response's bytes are under way and no request bytes are in the HTTP layer's hands then. A client half-close completes the streams' input and output goes on; the streams' end closes the
 * connection, and the client's going away cancels them.
 */
final class HijackableConnection extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {

    private static final Logger log = LoggerFactory.getLogger(HijackableConnection.class);
    /**
     * What the HTTP layer gets in place of a hijack, since it insists on one response per request: rendered, then
     * discarded by the stage, and it makes the layer finish with the connection.
     */
    private static final HttpResponse HANDED_OVER = HttpResponse.create().addHeader(Connection.create("close"));

    private final Inlet<ByteString> fromHttp = Inlet.create("HijackableConnection.fromHttp");
    private final Outlet<ByteString> toNet = Outlet.create("HijackableConnection.toNet");
    private final Inlet<ByteString> fromNet = Inlet.create("HijackableConnection.fromNet");
    private final Outlet<ByteString> toHttp = Outlet.create("HijackableConnection.toHttp");
    private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
            BidiShape.of(fromHttp, toNet, fromNet, toHttp);

    /** Completed by the wrapped route with the hijack and the response headers to write with it. */
    private final CompletableFuture<Taken> hijack = new CompletableFuture<>();
    /** Whoever claims it owns the hijack's streams: the stage splices them, or they are abandoned when it is gone. */
    private final AtomicBoolean claimed = new AtomicBoolean();

    private record Taken(Hijack hijack, Iterable<HttpHeader> headers) {}

    private HijackableConnection() {}

    /**
     * One connection: {@code transport}'s bytes through the HTTP layer {@code http} to {@code handler}, hijackable.
     */
    static RunnableGraph<NotUsed> serve(Flow<ByteString, ByteString, ?> transport,
                                        BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> http,
                                        Flow<HttpRequest, HttpResponse, NotUsed> handler) {
        HijackableConnection connection = new HijackableConnection();
        Flow<HttpRequest, HttpResponse, NotUsed> watched = handler.map(response -> Hijack.of(response)
                .map(hijack -> {
                    connection.hijack.complete(new Taken(hijack, response.getHeaders()));
                    return HANDED_OVER;
                })
                .orElse(response));
        return http.atop(BidiFlow.fromGraph(connection)).join(transport).join(watched);
    }

    @Override
    public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new GraphStageLogic(shape) {
            private Materializer materializer;
            private ByteString early;

            {
                setHandler(fromNet, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        if (isClosed(toHttp)) {
                            // Sent before the hijack's head, by a client that did not wait: the streams get it.
                            early = grab(fromNet);
                        } else {
                            push(toHttp, grab(fromNet));
                        }
                    }

                    @Override
                    public void onUpstreamFinish() {
                        if (!isClosed(toHttp)) {
                            complete(toHttp);
                        }
                    }
                });
                setHandler(toHttp, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        pull(fromNet);
                    }

                    @Override
                    public void onDownstreamFinish(Throwable cause) {
                        if (!hijack.isDone()) {
                            cancel(fromNet);
                        }
                    }
                });
                setHandler(fromHttp, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        ByteString bytes = grab(fromHttp);
                        // Once the route has handed the connection over, all the HTTP layer renders is HANDED_OVER.
                        if (!hijack.isDone()) {
                            push(toNet, bytes);
                        }
                    }

                    @Override
                    public void onUpstreamFinish() {
                        if (!hijack.isDone()) {
                            complete(toNet);
                        }
                    }
                });
                setHandler(toNet, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        pull(fromHttp);
                    }
                });
            }

            @Override
            public void preStart() {
                materializer = materializer();
                AsyncCallback<Taken> splice = createAsyncCallback(this::splice);
                hijack.thenAccept(taken -> {
                    if (claimed.compareAndSet(false, true)) {
                        // A stage that stopped meanwhile drops the call; the hijack is then let go here.
                        FutureConverters.asJava(splice.invokeWithFeedback(taken)).whenComplete((done, stopped) -> {
                            if (stopped != null) {
                                abandon(taken.hijack(), materializer);
                            }
                        });
                    }
                });
            }

            @Override
            public void postStop() {
                if (claimed.compareAndSet(false, true)) {
                    hijack.thenAccept(taken -> abandon(taken.hijack(), materializer));
                }
            }

            private void splice(Taken taken) {
                setKeepGoing(true);
                if (!isClosed(fromHttp)) {
                    cancel(fromHttp);
                }
                if (!isClosed(toHttp)) {
                    complete(toHttp);
                }
                SubSourceOutlet<ByteString> clientBytes = new SubSourceOutlet<>("HijackableConnection.clientBytes");
                SubSinkInlet<ByteString> streamBytes = new SubSinkInlet<>("HijackableConnection.streamBytes");
                ClientInput input = new ClientInput(clientBytes, early);
                clientBytes.setHandler(input);
                setHandler(fromNet, input);
                streamBytes.setHandler(new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        push(toNet, streamBytes.grab());
                    }

                    @Override
                    public void onUpstreamFinish() {
                        completeStage();
                    }

                    @Override
                    public void onUpstreamFailure(Throwable ex) {
                        log.warn("a hijacked connection's stream failed; closing it", ex);
                        completeStage();
                    }
                });
                setHandler(toNet, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        if (!streamBytes.hasBeenPulled() && !streamBytes.isClosed()) {
                            streamBytes.pull();
                        }
                    }

                    @Override
                    public void onDownstreamFinish(Throwable cause) {
                        completeStage();
                    }
                });
                Source.fromGraph(clientBytes.source())
                        .via(taken.hijack().streams())
                        .runWith(streamBytes.sink(), subFusingMaterializer());
                emit(toNet, taken.hijack().head(taken.headers()));
                input.demand();
            }

            /** The client's bytes into the hijack's streams, holding at most one chunk while they are not pulled. */
            private final class ClientInput extends AbstractInHandler implements OutHandler {
                private final SubSourceOutlet<ByteString> clientBytes;
                private ByteString pending;
                private boolean finished;

                ClientInput(SubSourceOutlet<ByteString> clientBytes, ByteString early) {
                    this.clientBytes = clientBytes;
                    this.pending = early;
                }

                @Override
                public void onPush() {
                    pending = grab(fromNet);
                    deliver();
                }

                @Override
                public void onUpstreamFinish() {
                    finished = true;
                    deliver();
                }

                @Override
                public void onUpstreamFailure(Throwable ex) {
                    finished = true;
                    deliver();
                }

                @Override
                public void onPull() {
                    deliver();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    // The streams want no more input (stdin not attached): keep reading and discard, so that the
                    // client's writes never block.
                    pending = null;
                    demand();
                }

                void demand() {
                    if (isClosed(fromNet)) {
                        finished = true;
                        deliver();
                    } else if (!hasBeenPulled(fromNet) && pending == null) {
                        pull(fromNet);
                    }
                }

                private void deliver() {
                    if (clientBytes.isClosed()) {
                        pending = null;
                    } else if (pending != null && clientBytes.isAvailable()) {
                        clientBytes.push(pending);
                        pending = null;
                    }
                    if (pending == null) {
                        if (finished) {
                            if (!clientBytes.isClosed()) {
                                clientBytes.complete();
                            }
                        } else if (!hasBeenPulled(fromNet) && !isClosed(fromNet)) {
                            pull(fromNet);
                        }
                    }
                }
            }
        };
    }

    /** Runs a hijack whose connection is already gone, so that what it holds (an attach socket) is let go. */
    private static void abandon(Hijack hijack, Materializer materializer) {
        Source.<ByteString>empty().via(hijack.streams()).runWith(Sink.cancelled(), materializer);
    }
}
