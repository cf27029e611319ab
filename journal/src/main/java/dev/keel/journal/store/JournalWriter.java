package dev.keel.journal.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The group-commit agent, the only writer of events. Each {@link #doWork()} drains commands from the proxy's
 * queue into one {@code WriteBatch} (assigning global offsets in order) and commits it with a synced WAL write
 * once the group is full ({@code maxBatchEvents}/{@code maxBatchBytes}) or its oldest command has waited
 * {@code maxBatchLatencyNanos}. Only after the sync returns does it publish the committed watermark, complete the
 * commands' futures and wake live readers. A failed write rolls the counters back, so no offset is skipped.
 *
 * <p>Only the agent's thread touches its fields; tests step {@link #doWork()} by hand with their own clock.
 */
public final class JournalWriter {

    private final JournalStore store;
    private final BlockingQueue<WriterCommand> queue;
    private final LongSupplier nanoClock;
    private final int maxBatchEvents;
    private final long maxBatchBytes;
    private final long maxBatchLatencyNanos;
    private final WriteBatch batch = new WriteBatch();
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    /** Metadata of every pid this writer has seen, as of the staged batch; reloaded lazily after a failed write. */
    private final Map<String, PidMetadata> metadata = new HashMap<>();
    private long nextOffset;
    private long nextPidOrdinal;
    private long committedOffset;
    private long committedPidOrdinal;
    private int pendingEvents;
    private long pendingBytes;
    private long oldestPendingNanos;
    private long batchesCommitted;
    private long eventsCommitted;

    public JournalWriter(JournalStore store, BlockingQueue<WriterCommand> queue, EmbeddedJournalSettings settings,
                         LongSupplier nanoClock) {
        this.store = store;
        this.queue = queue;
        this.nanoClock = nanoClock;
        this.maxBatchEvents = settings.maxBatchEvents();
        this.maxBatchBytes = settings.maxBatchBytes();
        this.maxBatchLatencyNanos = settings.maxBatchLatencyNanos();
        this.committedOffset = store.committedOffset();
        this.committedPidOrdinal = store.committedPidOrdinal();
        this.nextOffset = committedOffset + 1;
        this.nextPidOrdinal = committedPidOrdinal + 1;
    }

    public String roleName() {
        return "journal-writer";
    }

    /** One cycle: stage what the queue holds (up to a group), commit if the group is due. Returns work done. */
    public int doWork() {
        long now = nanoClock.getAsLong();
        int work = 0;
        while (pendingEvents < maxBatchEvents && pendingBytes < maxBatchBytes) {
            WriterCommand command = queue.poll();
            if (command == null) {
                break;
            }
            if (pending.isEmpty()) {
                oldestPendingNanos = command.enqueuedNanos();
            }
            stage(command);
            work++;
        }
        if (!pending.isEmpty() && (pendingEvents >= maxBatchEvents || pendingBytes >= maxBatchBytes
            || now - oldestPendingNanos >= maxBatchLatencyNanos)) {
            commit();
            work++;
        }
        return work;
    }

    /** Whether staged commands wait for their group to close; the idle loop then parks only briefly. */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Nanoseconds until the staged group is due by latency (0 if due). */
    long nanosUntilDue() {
        return Math.max(0, oldestPendingNanos + maxBatchLatencyNanos - nanoClock.getAsLong());
    }

    public long batchesCommitted() {
        return batchesCommitted;
    }

    public long eventsCommitted() {
        return eventsCommitted;
    }

    private void stage(WriterCommand command) {
        try {
            if (command instanceof WriterCommand.Append append) {
                for (AtomicEvents write : append.writes()) {
                    stageAtomic(write);
                }
                pendingEvents += append.eventCount();
                pendingBytes += append.byteCount();
            } else if (command instanceof WriterCommand.DeleteTo delete) {
                PidMetadata current = metadataOf(delete.persistenceId());
                if (current != null) {
                    PidMetadata updated = current.withDeletedTo(delete.toSequenceNr());
                    metadata.put(delete.persistenceId(), updated);
                    batch.put(store.pidMeta(), StoreKeys.utf8(delete.persistenceId()), updated.encode());
                }
                pendingEvents++;
            }
            pending.add(command.done());
        } catch (RocksDBException | RuntimeException e) {
            // The batch may hold part of this command: drop the whole group rather than commit half a write.
            command.done().completeExceptionally(e);
            failPending(e);
        }
    }

    private void stageAtomic(AtomicEvents write) throws RocksDBException {
        String pid = write.persistenceId();
        byte[] pidUtf8 = StoreKeys.utf8(pid);
        PidMetadata current = metadataOf(pid);
        if (current == null) {
            current = new PidMetadata(0, 0, nextPidOrdinal);
            byte[] ordinalKey = StoreKeys.longKey(nextPidOrdinal);
            byte[] value = new byte[pidUtf8.length + 4];
            System.arraycopy(pidUtf8, 0, value, 0, pidUtf8.length);
            StoreKeys.putInt(value, pidUtf8.length, Checksums.crc32c(ordinalKey, pidUtf8, pidUtf8.length));
            batch.put(store.pids(), ordinalKey, value);
            batch.put(store.pidMeta(), pidUtf8, current.encode());
            nextPidOrdinal++;
        }
        for (PreparedEvent event : write.events()) {
            long offset = nextOffset++;
            byte[] offsetKey = StoreKeys.longKey(offset);
            batch.put(store.events(), offsetKey, event.record());
            byte[] pidKey = StoreKeys.nameNumberKey(pidUtf8, event.sequenceNr());
            byte[] record = event.record();
            byte[] index = new byte[12 + record.length];
            StoreKeys.putLong(index, 0, offset);
            StoreKeys.putInt(index, 8, Checksums.crc32c(pidKey, index, 8));
            System.arraycopy(record, 0, index, 12, record.length);
            batch.put(store.byPid(), pidKey, index);
            for (byte[] tag : event.tagsUtf8()) {
                byte[] tagKey = StoreKeys.nameNumberKey(tag, offset);
                byte[] crc = new byte[4];
                StoreKeys.putInt(crc, 0, Checksums.crc32c(tagKey, 0, tagKey.length));
                batch.put(store.byTag(), tagKey, crc);
            }
        }
        metadata.put(pid, current.withHighest(write.highestSequenceNr()));
    }

    private PidMetadata metadataOf(String pid) {
        PidMetadata known = metadata.get(pid);
        if (known == null) {
            known = store.metadata(pid);
            if (known != null) {
                metadata.put(pid, known);
            }
        }
        return known;
    }

    private void commit() {
        try {
            store.rocks().write(syncWrite, batch);
        } catch (RocksDBException e) {
            failPending(store.failure("synced batch write", e));
            return;
        } catch (RuntimeException e) {
            failPending(e);
            return;
        }
        batch.clear();
        eventsCommitted += nextOffset - 1 - committedOffset;
        batchesCommitted++;
        committedOffset = nextOffset - 1;
        committedPidOrdinal = nextPidOrdinal - 1;
        store.publishCommitted(committedOffset, committedPidOrdinal);
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).complete(null);
        }
        resetGroup();
    }

    private void failPending(Throwable cause) {
        batch.clear();
        nextOffset = committedOffset + 1;
        nextPidOrdinal = committedPidOrdinal + 1;
        metadata.clear();
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).completeExceptionally(cause);
        }
        resetGroup();
    }

    private void resetGroup() {
        pending.clear();
        pendingEvents = 0;
        pendingBytes = 0;
    }

    /** Commits what is staged, fails what is still queued, and releases native resources. */
    public void onClose() {
        if (!pending.isEmpty()) {
            commit();
        }
        JournalStoreException closed = new JournalStoreException("journal " + store.dir() + " is closing");
        for (WriterCommand command = queue.poll(); command != null; command = queue.poll()) {
            command.done().completeExceptionally(closed);
        }
        batch.close();
        syncWrite.close();
    }
}
