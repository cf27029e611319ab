package dev.keel.httpapi.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits on a {@link Selector} for every unix socket connection, so an idle
 * connection costs a registration, not a thread. It only reports readiness: the channel's
 * owner does the reads and writes on its own thread and asks again when it would block.
 *
 * <p>Only this thread touches selection keys; other threads hand it tasks through a queue.
 */
final class SelectorLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** A channel's membership in the loop; interest is one-shot and must be asked for again. */
    final class Registration {
        private final SelectableChannel channel;
        private final IntConsumer onReady;
        private SelectionKey key;

        private Registration(SelectableChannel channel, IntConsumer onReady) {
            this.channel = channel;
            this.onReady = onReady;
        }

        /** Reports {@code ops} once when the channel is ready for them. */
        void interest(int ops) {
            execute(() -> {
                if (key != null && key.isValid()) {
                    key.interestOps(key.interestOps() | ops);
                }
            });
        }

        /** Closes the channel, which also drops it from the selector. */
        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("closing a channel failed", e);
            }
            selector.wakeup();
        }
    }

    SelectorLoop(String threadName) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Adds a non-blocking channel. {@code onReady} runs on the loop's thread with the ready ops
     * and must only hand them off.
     */
    Registration register(SelectableChannel channel, int initialOps, IntConsumer onReady) {
        Registration registration = new Registration(channel, onReady);
        execute(() -> {
            try {
                registration.key = channel.register(selector, initialOps, registration);
            } catch (IOException e) {
                log.debug("registering a channel failed", e);
                registration.close();
            }
        });
        return registration;
    }

    private void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                selector.select();
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid()) {
                        int ready = key.readyOps();
                        key.interestOps(key.interestOps() & ~ready);
                        ((Registration) key.attachment()).onReady.accept(ready);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                log.error("unix socket selector failed; the API stops answering on unix sockets", e);
            }
        }
    }

    /** Stops the thread and closes every channel still registered. */
    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}
