package dev.keel.journal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalWriterTest {

    private static final long LATENCY_NANOS = 1_000_000;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final BlockingQueue<WriterCommand> queue = new ArrayBlockingQueue<>(1024);
    private JournalStore store;
    private JournalWriter writer;
    private JournalWriterProxy proxy;

    @BeforeEach
    void open() {
        openWith(4);
    }

    private void openWith(int maxBatchEvents) {
        store = JournalStore.open(dir);
        EmbeddedJournalSettings settings = new EmbeddedJournalSettings(dir, maxBatchEvents, 1 << 20, LATENCY_NANOS,
            1024, 64L << 20, 128, "unused");
        writer = new JournalWriter(store, queue, settings, clock::get);
        proxy = new JournalWriterProxy(queue, clock::get, () -> { });
    }

    @AfterEach
    void close() {
        writer.onClose();
        store.close();
    }

    static AtomicEvents write(String pid, long fromSeqNr, int count, String... tags) {
        List<PreparedEvent> events = new ArrayList<>();
        for (long seqNr = fromSeqNr; seqNr < fromSeqNr + count; seqNr++) {
            events.add(PreparedEvent.of(new EventRecord(pid, seqNr, 42L, "writer-1", "", 4, "",
                List.of(tags), (pid + "-" + seqNr).getBytes())));
        }
        return new AtomicEvents(pid, events);
    }

    @Test
    void shouldSyncBatchWhenMaxLatencyElapses() {
        CompletableFuture<Void> done = proxy.append(List.of(write("a", 1, 1)));

        assertThat(writer.doWork()).isEqualTo(1);
        assertThat(done).isNotDone();
        assertThat(store.committedOffset()).isZero();

        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();

        assertThat(done).isCompleted();
        assertThat(store.committedOffset()).isEqualTo(1);
        assertThat(writer.batchesCommitted()).isEqualTo(1);
    }

    @Test
    void shouldSyncBatchWhenMaxEventsReachedWithoutWaitingForLatency() {
        CompletableFuture<Void> first = proxy.append(List.of(write("a", 1, 2)));
        CompletableFuture<Void> second = proxy.append(List.of(write("b", 1, 2)));
        CompletableFuture<Void> third = proxy.append(List.of(write("c", 1, 1)));

        writer.doWork();

        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(third).isNotDone();
        assertThat(writer.batchesCommitted()).isEqualTo(1);
        assertThat(store.committedOffset()).isEqualTo(4);
    }

    @Test
    void shouldAssignGapFreeOffsetsInCommitOrder() {
        for (int i = 0; i < 10; i++) {
            proxy.append(List.of(write("p" + (i % 3), i / 3 + 1, 1)));
        }
        clock.addAndGet(LATENCY_NANOS);
        while (writer.doWork() > 0) {
            clock.addAndGet(LATENCY_NANOS);
        }

        List<Long> offsets = new ArrayList<>();
        List<String> order = new ArrayList<>();
        store.readEvents(1, Long.MAX_VALUE, 100, (offset, event) -> {
            offsets.add(offset);
            order.add(event.persistenceId() + ":" + event.sequenceNr());
        });
        assertThat(offsets).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(order).startsWith("p0:1", "p1:1", "p2:1", "p0:2");
    }

    @Test
    void shouldContinueOffsetsFromTheDataAfterReopen() {
        proxy.append(List.of(write("a", 1, 3)));
        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();
        writer.onClose();
        store.close();

        openWith(4);
        proxy.append(List.of(write("a", 4, 1)));
        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();

        assertThat(store.committedOffset()).isEqualTo(4);
        assertThat(store.event(4).sequenceNr()).isEqualTo(4);
        assertThat(store.metadata("a").highestSequenceNr()).isEqualTo(4);
    }

    @Test
    void shouldKeepHighestSequenceNrAndHistoryWhenDeleting() {
        proxy.append(List.of(write("a", 1, 3)));
        proxy.deleteTo("a", Long.MAX_VALUE);
        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();

        PidMetadata meta = store.metadata("a");
        assertThat(meta.highestSequenceNr()).isEqualTo(3);
        assertThat(meta.deletedTo()).isEqualTo(3);
        assertThat(store.readEvents(1, Long.MAX_VALUE, 100, (offset, event) -> { })).isEqualTo(3);
    }

    @Test
    void shouldNotDeleteEventsWrittenAfterADeleteBeyondTheHighest() {
        proxy.append(List.of(write("a", 1, 2)));
        proxy.deleteTo("a", 10);
        proxy.append(List.of(write("a", 3, 1)));
        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();

        assertThat(store.metadata("a").deletedTo()).isEqualTo(2);
        assertThat(store.metadata("a").highestSequenceNr()).isEqualTo(3);
    }

    @Test
    void shouldIndexPersistenceIdsInOrderOfFirstWrite() {
        proxy.append(List.of(write("b", 1, 1), write("a", 1, 1)));
        proxy.append(List.of(write("b", 2, 1)));
        clock.addAndGet(LATENCY_NANOS);
        writer.doWork();

        List<String> pids = new ArrayList<>();
        store.readPersistenceIds(1, store.committedPidOrdinal(), 10, pids::add);
        assertThat(pids).containsExactly("b", "a");
    }

    @Test
    void shouldFailQueuedCommandsWhenClosed() {
        CompletableFuture<Void> done = proxy.append(List.of(write("a", 1, 1)));

        writer.onClose();
        writer = new JournalWriter(store, queue, new EmbeddedJournalSettings(dir, 4, 1 << 20, LATENCY_NANOS, 1024, 64L << 20, 128,
            "unused"), clock::get);

        assertThat(done).isCompletedExceptionally();
        assertThat(store.committedOffset()).isZero();
    }
}
