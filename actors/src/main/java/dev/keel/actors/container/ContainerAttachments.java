package dev.keel.actors.container;

import dev.keel.os.monitor.AttachSocket;
import dev.keel.os.monitor.ContainerMonitor;
import dev.keel.os.monitor.MonitorControl;
import dev.keel.os.monitor.MonitorFailure;
import dev.keel.os.runtime.RuntimeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's stdio as a {@link Containers.Attachment}, through its monitor's attach socket.
 *
 * <p>One connection carries both ways. Threads: the socket calls block, so each attachment has a thread of its own that
 * reads the connection and offers each packet to the output stream (waiting while the client is slow, which in turn
 * holds the monitor back, as Docker does). Writes to stdin run on Pekko's blocking-IO dispatcher; the end of the input
 * half-closes the connection, which makes the monitor close the container's stdin while output goes on.
 *
 * <p>Docker attaches before it starts ({@code docker run} without {@code -d}, {@code docker start -a}), when the
 * container may have no monitor yet, or only the socket of an earlier run that nobody serves. The connection is then
 * made as soon as a new monitor's socket appears (watched, not polled); the monitor binds it before it runs the
 * runtime's create, so output from the container's first instruction on is seen.
 */
public final class ContainerAttachments {

    private static final Logger log = LoggerFactory.getLogger(ContainerAttachments.class);
    private static final String BLOCKING_IO_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";
    private static final int OUTPUT_BUFFER_PACKETS = 16;

    private ContainerAttachments() {}

    /**
     * Attaches to container {@code containerId} (the runtime id). Connects at once when the monitor runs, so nothing
     * the container prints after this returns is missed.
     *
     * @param tty       the container has a TTY: {@link Containers.Attachment#resize} reaches it
     * @param openStdin the container's monitor holds its stdin open ({@code -i}): {@link Containers.Attachment#input}
     *                  reaches it; otherwise input is discarded
     */
    public static Containers.Attachment attach(RuntimeSettings settings, String containerId, boolean tty,
                                               boolean openStdin) {
        return attach(settings, containerId, tty, openStdin, Clock.systemUTC());
    }

    static Containers.Attachment attach(RuntimeSettings settings, String containerId, boolean tty, boolean openStdin,
                                        Clock clock) {
        MonitorSocket monitor = new MonitorSocket(settings.socketDir(), containerId);
        return new SocketAttachment(monitor, monitor.tryConnect(), tty, openStdin,
                MonitorControl.of(settings.socketDir(), containerId), clock);
    }

    /** The attach socket of one session, connected now or as soon as a monitor serves it. */
    private record MonitorSocket(Path socketDir, String session) {

        Optional<AttachSocket> tryConnect() {
            try {
                return Optional.of(AttachSocket.connect(AttachSocket.path(socketDir, session)));
            } catch (IOException e) {
                // No monitor yet (no socket) or no more (a socket nobody serves): both wait for the next one.
                return Optional.empty();
            }
        }

        /**
         * Blocks until a monitor accepts a connection. Every change in the socket directory or the session's bundle
         * (the monitor links the one to the other, then binds the socket in the bundle) is a reason to try again.
         *
         * @throws ClosedWatchServiceException when {@code watcher} is closed meanwhile
         */
        AttachSocket await(WatchService watcher) throws IOException, InterruptedException {
            Files.createDirectories(socketDir);
            socketDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                Path bundle = socketDir.resolve(ContainerMonitor.attachName(session));
                if (Files.isDirectory(bundle)) {
                    try {
                        bundle.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                    } catch (IOException e) {
                        log.debug("the bundle of {} went away while being watched", session, e);
                    }
                }
                Optional<AttachSocket> socket = tryConnect();
                if (socket.isPresent()) {
                    return socket.get();
                }
                watcher.take().reset();
            }
        }
    }

    private static final class SocketAttachment implements Containers.Attachment {

        private final MonitorSocket monitor;
        /** The one connection: output is read from it, stdin written to it; done once the monitor accepted it. */
        private final CompletableFuture<AttachSocket> connection = new CompletableFuture<>();
        private final WatchService watcher;
        private final boolean tty;
        private final boolean openStdin;
        private final MonitorControl control;
        private final Clock clock;

        SocketAttachment(MonitorSocket monitor, Optional<AttachSocket> connected, boolean tty, boolean openStdin,
                         MonitorControl control, Clock clock) {
            this.monitor = monitor;
            connected.ifPresent(connection::complete);
            this.tty = tty;
            this.openStdin = openStdin;
            this.control = control;
            this.clock = clock;
            try {
                this.watcher = monitor.socketDir().getFileSystem().newWatchService();
            } catch (IOException e) {
                connected.ifPresent(AttachSocket::close);
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Source<Containers.LogLine, NotUsed> output() {
            return Source.<Containers.LogLine>queue(OUTPUT_BUFFER_PACKETS, OverflowStrategy.backpressure())
                    .mapMaterializedValue(queue -> {
                        queue.watchCompletion().whenComplete((done, failure) -> hangUp());
                        Thread thread = new Thread(() -> pump(queue), "attach-" + shortId());
                        thread.setDaemon(true);
                        thread.start();
                        return NotUsed.getInstance();
                    });
        }

        @Override
        public Sink<ByteString, NotUsed> input() {
            if (!openStdin) {
                return Sink.<ByteString>ignore().mapMaterializedValue(done -> NotUsed.getInstance());
            }
            return Flow.of(ByteString.class)
                    .map(bytes -> {
                        connected().write(bytes.asByteBuffer());
                        return Done.getInstance();
                    })
                    .watchTermination((notUsed, done) -> {
                        done.whenComplete((d, failure) -> endStdin());
                        return NotUsed.getInstance();
                    })
                    .addAttributes(ActorAttributes.dispatcher(BLOCKING_IO_DISPATCHER))
                    .async()
                    .to(Sink.ignore());
        }

        @Override
        public void resize(int height, int width) {
            if (!tty) {
                return;
            }
            try {
                control.resize(height, width);
            } catch (MonitorFailure e) {
                log.debug("resize of {} not delivered: {}", monitor.session(), e.getMessage());
            }
        }

        private String shortId() {
            return monitor.session().length() > 12 ? monitor.session().substring(0, 12) : monitor.session();
        }

        /** Reads the connection into the stream until either ends; connects first when the monitor was not up. */
        private void pump(SourceQueueWithComplete<Containers.LogLine> queue) {
            try {
                if (!connection.isDone()) {
                    AttachSocket socket = monitor.await(watcher);
                    if (!connection.complete(socket)) {
                        socket.close();
                    }
                }
                AttachSocket socket = connected();
                for (Optional<AttachSocket.Packet> p = socket.read(); p.isPresent(); p = socket.read()) {
                    Containers.LogStream stream = tty || p.get().stream() == dev.keel.os.monitor.LogStream.STDOUT
                            ? Containers.LogStream.STDOUT : Containers.LogStream.STDERR;
                    QueueOfferResult offered = queue.offer(new Containers.LogLine(stream, clock.instant(),
                            p.get().bytes())).toCompletableFuture().join();
                    if (!QueueOfferResult.enqueued().equals(offered)) {
                        return;
                    }
                }
                queue.complete();
            } catch (ClosedWatchServiceException | CancellationException e) {
                log.debug("attach to {} ended before its monitor came up", monitor.session());
            } catch (IOException | RuntimeException e) {
                queue.fail(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queue.fail(e);
            }
        }

        /** The connection, waiting for the pump to make it when the monitor was not up at attach time. */
        private AttachSocket connected() throws InterruptedException {
            try {
                return connection.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the attach connection was not made", e.getCause());
            }
        }

        /** The end of the client's input: the monitor closes the container's stdin, output goes on. */
        private void endStdin() {
            try {
                connected().endInput();
            } catch (IOException | InterruptedException | RuntimeException e) {
                log.debug("stdin of {} not ended: {}", monitor.session(), e.toString());
            }
        }

        /** The output stream is over: stops a wait for the monitor and hangs up; called from any thread. */
        private void hangUp() {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the socket watcher failed", e);
            }
            if (!connection.cancel(false)) {
                connection.join().close();
            }
        }
    }
}
