package dev.keel.httpapi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT start a graceful shutdown; a second signal, or a shutdown that outlasts
 * its timeout, halts the JVM. Handling the signals ourselves (rather than through the JVM's
 * shutdown hook) lets keeld clean up after the actor system has terminated and exit 0.
 * Installed before the daemon starts: a signal during start-up stops the daemon as soon as it
 * is up.
 */
final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);
    /** Exit code when keeld gives up on a graceful shutdown. */
    private static final int FORCED_EXIT = 2;

    private final Duration timeout;
    private final AtomicBoolean received = new AtomicBoolean();
    private volatile Daemon daemon;

    private ShutdownSignals(Duration timeout) {
        this.timeout = timeout;
    }

    static ShutdownSignals install(Duration timeout) {
        ShutdownSignals signals = new ShutdownSignals(timeout);
        SignalHandler handler = signals::onSignal;
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
        return signals;
    }

    /** Hands over the started daemon; shuts it down at once if a signal came during start-up. */
    void attach(Daemon started) {
        daemon = started;
        if (received.get()) {
            started.shutdown();
        }
    }

    private void onSignal(Signal signal) {
        if (!received.compareAndSet(false, true)) {
            log.warn("received SIG{} again; forcing exit without cleanup", signal.getName());
            Runtime.getRuntime().halt(FORCED_EXIT);
        }
        log.info("received SIG{}, shutting down (a second signal forces exit)", signal.getName());
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            log.error("shutdown did not finish within {} s; forcing exit", timeout.toSeconds());
            Runtime.getRuntime().halt(FORCED_EXIT);
        });
        Daemon started = daemon;
        if (started != null) {
            started.shutdown();
        }
    }
}
