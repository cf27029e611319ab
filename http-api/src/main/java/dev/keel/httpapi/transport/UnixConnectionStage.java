package dev.keel.httpapi.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One accepted unix socket connection as a flow: bytes pushed in are written to the peer, bytes
 * the peer sends come out. The channel is non-blocking; when a read or write would block, the
 * stage asks the {@link SelectorLoop} to call back, so no thread waits on an idle connection.
 * Demand maps to reads: nothing is read until downstream pulls.
 */
final class UnixConnectionStage extends GraphStage<FlowShape<ByteString, ByteString>> {

    private final Inlet<ByteString> in = Inlet.create("UnixConnection.toPeer");
    private final Outlet<ByteString> out = Outlet.create("UnixConnection.fromPeer");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
    private final SocketChannel channel;
    private final SelectorLoop loop;
    private final int readChunkBytes;

    UnixConnectionStage(SocketChannel channel, SelectorLoop loop, int readChunkBytes) {
        this.channel = channel;
        this.loop = loop;
        this.readChunkBytes = readChunkBytes;
    }

    @Override
    public FlowShape<ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new GraphStageLogic(shape) {
            private SelectorLoop.Registration registration;
            private ByteBuffer unwritten;

            {
                setHandler(in, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        unwritten = grab(in).asByteBuffer();
                        write();
                    }

                    @Override
                    public void onUpstreamFinish() {
                        if (unwritten == null) {
                            completeStage();
                        }
                    }
                });
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        read();
                    }

                    @Override
                    public void onDownstreamFinish(Throwable cause) {
                        // The HTTP layer may still be writing its last response; finish when it is done.
                        if (isClosed(in)) {
                            completeStage();
                        }
                    }
                });
            }

            @Override
            public void preStart() {
                AsyncCallback<Integer> ready = createAsyncCallback(this::onReady);
                registration = loop.register(channel, 0, ready::invoke);
                pull(in);
            }

            private void onReady(int ops) {
                if ((ops & SelectionKey.OP_WRITE) != 0 && unwritten != null) {
                    write();
                }
                if ((ops & SelectionKey.OP_READ) != 0 && isAvailable(out)) {
                    read();
                }
            }

            private void read() {
                ByteBuffer buffer = ByteBuffer.allocate(readChunkBytes);
                int n;
                try {
                    n = channel.read(buffer);
                } catch (IOException e) {
                    completeStage();
                    return;
                }
                if (n > 0) {
                    push(out, ByteString.fromArrayUnsafe(buffer.array(), 0, n));
                } else if (n == 0) {
                    registration.interest(SelectionKey.OP_READ);
                } else {
                    complete(out);
                    if (isClosed(in)) {
                        completeStage();
                    }
                }
            }

            private void write() {
                try {
                    channel.write(unwritten);
                } catch (IOException e) {
                    completeStage();
                    return;
                }
                if (unwritten.hasRemaining()) {
                    registration.interest(SelectionKey.OP_WRITE);
                    return;
                }
                unwritten = null;
                if (isClosed(in)) {
                    completeStage();
                } else {
                    pull(in);
                }
            }

            @Override
            public void postStop() {
                registration.close();
            }
        };
    }
}
