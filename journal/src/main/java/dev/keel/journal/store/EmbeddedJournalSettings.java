package dev.keel.journal.store;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * The {@code keel.journal.embedded} section of reference.conf, parsed once.
 *
 * @param dir RocksDB directory
 * @param maxBatchEvents a synced group closes when it holds this many events
 * @param maxBatchBytes ... or this many bytes of records
 * @param maxBatchLatencyNanos ... or when its oldest write has waited this long
 * @param writerQueueCapacity pending append/delete commands before the proxy rejects new ones
 * @param blockCacheBytes RocksDB block cache shared by the column families
 * @param readChunkEvents events a query reads from RocksDB per step
 * @param queryDispatcher dispatcher that runs query streams (they read RocksDB)
 */
public record EmbeddedJournalSettings(
    Path dir,
    int maxBatchEvents,
    long maxBatchBytes,
    long maxBatchLatencyNanos,
    int writerQueueCapacity,
    long blockCacheBytes,
    int readChunkEvents,
    String queryDispatcher) {

    public EmbeddedJournalSettings {
        if (maxBatchEvents < 1 || maxBatchBytes < 1 || maxBatchLatencyNanos < 0 || writerQueueCapacity < 1
            || blockCacheBytes < 0 || readChunkEvents < 1) {
            throw new IllegalArgumentException("keel.journal.embedded: batch, queue and chunk sizes must be positive");
        }
    }

    /** Parses the {@code keel.journal.embedded} block (the config passed in is that block). */
    public static EmbeddedJournalSettings fromConfig(Config embedded) {
        String dir = embedded.getString("dir");
        if (dir.isBlank()) {
            throw new IllegalArgumentException("keel.journal.embedded.dir is required (the RocksDB directory)");
        }
        return new EmbeddedJournalSettings(
            Path.of(dir).toAbsolutePath().normalize(),
            embedded.getInt("max-batch-events"),
            embedded.getBytes("max-batch-bytes"),
            embedded.getLong("max-batch-latency-micros") * 1_000L,
            embedded.getInt("writer-queue-capacity"),
            embedded.getBytes("block-cache-bytes"),
            embedded.getInt("query.read-chunk-events"),
            embedded.getString("query.dispatcher"));
    }

    public EmbeddedJournalSettings withDir(Path newDir) {
        return new EmbeddedJournalSettings(newDir, maxBatchEvents, maxBatchBytes, maxBatchLatencyNanos,
            writerQueueCapacity, blockCacheBytes, readChunkEvents, queryDispatcher);
    }
}
