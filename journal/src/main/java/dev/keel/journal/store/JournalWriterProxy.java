package dev.keel.journal.store;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * How other threads talk to {@link JournalWriter}: commands on a bounded queue. A full queue rejects the command
 * (its future fails) instead of blocking the caller's dispatcher thread.
 */
public final class JournalWriterProxy {

    private final BlockingQueue<WriterCommand> queue;
    private final LongSupplier nanoClock;
    private final Runnable wakeWriter;

    public JournalWriterProxy(BlockingQueue<WriterCommand> queue, LongSupplier nanoClock, Runnable wakeWriter) {
        this.queue = queue;
        this.nanoClock = nanoClock;
        this.wakeWriter = wakeWriter;
    }

    /** Appends the writes as one group member; completes once they are synced (each AtomicEvents all or nothing). */
    public CompletableFuture<Void> append(List<AtomicEvents> writes) {
        int events = 0;
        long bytes = 0;
        for (AtomicEvents write : writes) {
            for (PreparedEvent event : write.events()) {
                events++;
                bytes += event.record().length;
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        offer(new WriterCommand.Append(writes, events, bytes, nanoClock.getAsLong(), done));
        return done;
    }

    /** Logically deletes events up to {@code toSequenceNr} (clamped to the highest written). */
    public CompletableFuture<Void> deleteTo(String persistenceId, long toSequenceNr) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        offer(new WriterCommand.DeleteTo(persistenceId, toSequenceNr, nanoClock.getAsLong(), done));
        return done;
    }

    private void offer(WriterCommand command) {
        if (queue.offer(command)) {
            wakeWriter.run();
        } else {
            command.done().completeExceptionally(new JournalStoreException(
                "journal writer queue is full (" + queue.size() + " commands); raise keel.journal.embedded.writer-queue-capacity"));
        }
    }
}
