package dev.keel.journal.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What {@link JournalWriterProxy} puts on the writer's queue; the future completes after the synced batch. */
sealed interface WriterCommand {

    CompletableFuture<Void> done();

    long enqueuedNanos();

    record Append(List<AtomicEvents> writes, int eventCount, long byteCount, long enqueuedNanos,
                  CompletableFuture<Void> done) implements WriterCommand {
    }

    record DeleteTo(String persistenceId, long toSequenceNr, long enqueuedNanos, CompletableFuture<Void> done)
        implements WriterCommand {
    }
}
