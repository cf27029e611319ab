package dev.keel.journal.store;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@link JournalWriter} on its own thread named after its role. When a cycle finds no work the thread parks:
 * until the staged group is due, or until the proxy wakes it (only if it is parked, so busy periods cost no unpark).
 */
public final class WriterThread implements AutoCloseable {

    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final JournalWriter writer;
    private final BlockingQueue<WriterCommand> queue;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean parked;

    public WriterThread(JournalWriter writer, BlockingQueue<WriterCommand> queue) {
        this.writer = writer;
        this.queue = queue;
        this.thread = new Thread(this::run, writer.roleName());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Wakes the writer if it is parked; called by the proxy after each offer. */
    public void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        try {
            while (running) {
                if (writer.doWork() == 0) {
                    idle();
                }
            }
        } finally {
            writer.onClose();
        }
    }

    private void idle() {
        long parkNanos = writer.hasPending() ? writer.nanosUntilDue() : IDLE_PARK_NANOS;
        if (parkNanos == 0) {
            return;
        }
        parked = true;
        if (queue.isEmpty() && running) {
            LockSupport.parkNanos(this, parkNanos);
        }
        parked = false;
    }

    /** Stops after committing what is staged; queued commands left behind fail. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
