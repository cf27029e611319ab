package dev.keel.journal.bench;

import java.util.concurrent.atomic.LongAdder;

/** Shared by the looping entities of one load: counts acknowledged persists and tells them when to stop. */
final class LoadProbe {

    private final LongAdder acknowledged = new LongAdder();
    private final AcknowledgementListener listener;
    private volatile boolean running = true;

    LoadProbe(AcknowledgementListener listener) {
        this.listener = listener;
    }

    void acknowledged(int entity, long number) {
        acknowledged.increment();
        listener.onAcknowledged(entity, number);
    }

    boolean running() {
        return running;
    }

    void stop() {
        running = false;
    }

    long acknowledgedCount() {
        return acknowledged.sum();
    }
}
