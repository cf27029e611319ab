package dev.keel.journal.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;

/**
 * The RocksDB database of one journal directory: column families, reads, and the committed watermarks that live
 * readers must not pass. Only {@link JournalWriter} writes events; the snapshot store writes its own family.
 */
public final class JournalStore implements AutoCloseable {

    static final String EVENTS = "events";
    static final String BY_PID = "by-pid";
    static final String BY_TAG = "by-tag";
    static final String PID_META = "pid-meta";
    static final String PIDS = "pids";
    static final String SNAPSHOTS = "snapshots";

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final LRUCache blockCache;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle events;
    private final ColumnFamilyHandle byPid;
    private final ColumnFamilyHandle byTag;
    private final ColumnFamilyHandle pidMeta;
    private final ColumnFamilyHandle pids;
    private final ColumnFamilyHandle snapshots;
    private final ReadOptions readOptions;
    private final CommitNotifier notifier = new CommitNotifier();
    private volatile long committedOffset;
    private volatile long committedPidOrdinal;
    private volatile boolean closed;

    private JournalStore(Path dir, long blockCacheBytes) {
        this.dir = dir;
        this.blockCache = new LRUCache(blockCacheBytes);
        this.dbOptions = new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setParanoidChecks(true)
            // A torn last record is what a crash leaves and is dropped; damage anywhere else fails the open.
            .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
            .setMaxBackgroundJobs(2);
        this.familyOptions = new ColumnFamilyOptions().optimizeLevelStyleCompaction()
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (String name : List.of(EVENTS, BY_PID, BY_TAG, PID_META, PIDS, SNAPSHOTS)) {
            descriptors.add(new ColumnFamilyDescriptor(StoreKeys.utf8(name), familyOptions));
        }
        this.handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            familyOptions.close();
            blockCache.close();
            throw failure("open", e);
        } catch (java.io.IOException e) {
            throw new JournalStoreException("cannot create journal directory " + dir, e);
        }
        this.events = handles.get(1);
        this.byPid = handles.get(2);
        this.byTag = handles.get(3);
        this.pidMeta = handles.get(4);
        this.pids = handles.get(5);
        this.snapshots = handles.get(6);
        this.readOptions = new ReadOptions().setVerifyChecksums(true);
        try {
            this.committedOffset = lastNumberKey(events);
            this.committedPidOrdinal = lastNumberKey(pids);
        } catch (RuntimeException e) {
            // A damaged journal must not stay open: its lock would turn the next attempt's error into "lock held".
            closed = true;
            release();
            throw e;
        }
    }

    /** Default block cache for tools and tests that open a directory without settings. */
    public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;

    /**
     * Opens (creating if needed) the journal in {@code dir}; the committed watermarks come from the data itself.
     *
     * @param blockCacheBytes RocksDB block cache shared by all column families (replay and queries read through it)
     */
    public static JournalStore open(Path dir, long blockCacheBytes) {
        return new JournalStore(dir, blockCacheBytes);
    }

    public static JournalStore open(Path dir) {
        return open(dir, DEFAULT_BLOCK_CACHE_BYTES);
    }

    public Path dir() {
        return dir;
    }

    public RocksDB rocks() {
        return db;
    }

    ColumnFamilyHandle events() {
        return events;
    }

    ColumnFamilyHandle byPid() {
        return byPid;
    }

    ColumnFamilyHandle byTag() {
        return byTag;
    }

    ColumnFamilyHandle pidMeta() {
        return pidMeta;
    }

    ColumnFamilyHandle pids() {
        return pids;
    }

    public ColumnFamilyHandle snapshots() {
        return snapshots;
    }

    public CommitNotifier notifier() {
        return notifier;
    }

    /** Highest global offset whose batch is synced; live readers stop here. */
    public long committedOffset() {
        return committedOffset;
    }

    /** Highest pid ordinal whose batch is synced. */
    public long committedPidOrdinal() {
        return committedPidOrdinal;
    }

    void publishCommitted(long offset, long pidOrdinal) {
        committedPidOrdinal = pidOrdinal;
        committedOffset = offset;
        notifier.committed();
    }

    /** Metadata of {@code persistenceId}, or null if it never wrote: one point lookup and one index seek. */
    public PidMetadata metadata(String persistenceId) {
        byte[] pidUtf8 = StoreKeys.utf8(persistenceId);
        byte[] value = get(pidMeta, pidUtf8, PID_META);
        if (value == null) {
            return null;
        }
        if (!PidMetadata.isIntact(value)) {
            throw new JournalCorruptedException("CRC32C mismatch in pid metadata " + where(PID_META, "pid " + persistenceId));
        }
        return PidMetadata.decode(highestSequenceNr(pidUtf8), value);
    }

    private long highestSequenceNr(byte[] pidUtf8) {
        byte[] last = StoreKeys.nameNumberKey(pidUtf8, Long.MAX_VALUE);
        try (RocksIterator it = db.newIterator(byPid, readOptions)) {
            it.seekForPrev(last);
            long highest = it.isValid() && StoreKeys.sameName(it.key(), last) ? StoreKeys.trailingNumber(it.key()) : 0L;
            iteratorStatus(it, BY_PID);
            return highest;
        }
    }

    public EventRecord event(long offset) {
        byte[] value = get(events, StoreKeys.longKey(offset), EVENTS);
        return value == null ? null : decodeEvent(offset, value);
    }

    /**
     * Events of one persistence id with {@code fromSeqNr <= seqNr <= toSeqNr} and global offset at most
     * {@code maxOffset}, at most {@code limit} of them, in sequence order.
     *
     * @return the number delivered
     */
    public int readByPid(String persistenceId, long fromSeqNr, long toSeqNr, long maxOffset, long limit,
                         OffsetEventConsumer consumer) {
        checkOpen();
        byte[] start = StoreKeys.nameNumberKey(StoreKeys.utf8(persistenceId), fromSeqNr);
        int delivered = 0;
        try (RocksIterator it = db.newIterator(byPid, readOptions)) {
            it.seek(start);
            while (it.isValid() && delivered < limit) {
                byte[] key = it.key();
                if (!StoreKeys.sameName(key, start) || StoreKeys.trailingNumber(key) > toSeqNr) {
                    break;
                }
                byte[] value = it.value();
                if (value.length < 12 || StoreKeys.getInt(value, 8) != Checksums.crc32c(key, value, 8)) {
                    throw new JournalCorruptedException("CRC32C mismatch in index entry "
                        + where(BY_PID, "pid " + persistenceId + " seqNr " + StoreKeys.trailingNumber(key)));
                }
                long offset = StoreKeys.getLong(value, 0);
                if (offset > maxOffset) {
                    break;
                }
                byte[] record = java.util.Arrays.copyOfRange(value, 12, value.length);
                if (!EventRecord.isIntact(record)) {
                    throw new JournalCorruptedException("CRC32C mismatch in event record "
                        + where(BY_PID, "pid " + persistenceId + " seqNr " + StoreKeys.trailingNumber(key)));
                }
                consumer.accept(offset, EventRecord.decode(record));
                delivered++;
                it.next();
            }
            iteratorStatus(it, BY_PID);
        }
        return delivered;
    }

    /** The logical deleted-to marker of {@code persistenceId} (0 if none): one point lookup. */
    public long deletedTo(String persistenceId) {
        byte[] value = get(pidMeta, StoreKeys.utf8(persistenceId), PID_META);
        if (value == null) {
            return 0L;
        }
        if (!PidMetadata.isIntact(value)) {
            throw new JournalCorruptedException("CRC32C mismatch in pid metadata " + where(PID_META, "pid " + persistenceId));
        }
        return PidMetadata.decode(0L, value).deletedTo();
    }

    /** Events with {@code fromOffset <= offset <= toOffset}, at most {@code limit}. */
    public int readEvents(long fromOffset, long toOffset, int limit, OffsetEventConsumer consumer) {
        checkOpen();
        int delivered = 0;
        try (RocksIterator it = db.newIterator(events, readOptions)) {
            it.seek(StoreKeys.longKey(fromOffset));
            while (it.isValid() && delivered < limit) {
                long offset = StoreKeys.getLong(it.key(), 0);
                if (offset > toOffset) {
                    break;
                }
                consumer.accept(offset, decodeEvent(offset, it.value()));
                delivered++;
                it.next();
            }
            iteratorStatus(it, EVENTS);
        }
        return delivered;
    }

    /**
     * Events tagged {@code tag} with {@code fromOffset <= offset <= toOffset}, at most {@code limit}.
     *
     * @return the last offset scanned (toOffset if the range was exhausted)
     */
    public long readTagged(String tag, long fromOffset, long toOffset, int limit, OffsetEventConsumer consumer) {
        checkOpen();
        byte[] start = StoreKeys.nameNumberKey(StoreKeys.utf8(tag), fromOffset);
        List<byte[]> offsetKeys = new ArrayList<>();
        long last = toOffset;
        try (RocksIterator it = db.newIterator(byTag, readOptions)) {
            it.seek(start);
            while (it.isValid()) {
                byte[] key = it.key();
                if (!StoreKeys.sameName(key, start) || StoreKeys.trailingNumber(key) > toOffset) {
                    break;
                }
                byte[] value = it.value();
                if (value.length != 4 || StoreKeys.getInt(value, 0) != Checksums.crc32c(key, 0, key.length)) {
                    throw new JournalCorruptedException("CRC32C mismatch in index entry "
                        + where(BY_TAG, "tag " + tag + " offset " + StoreKeys.trailingNumber(key)));
                }
                offsetKeys.add(StoreKeys.longKey(StoreKeys.trailingNumber(key)));
                if (offsetKeys.size() == limit) {
                    last = StoreKeys.trailingNumber(key);
                    break;
                }
                it.next();
            }
            iteratorStatus(it, BY_TAG);
        }
        deliverOffsets(offsetKeys, consumer);
        return last;
    }

    /** Persistence ids with {@code fromOrdinal <= ordinal <= toOrdinal} in order of their first write. */
    public int readPersistenceIds(long fromOrdinal, long toOrdinal, int limit, Consumer<String> consumer) {
        checkOpen();
        int delivered = 0;
        try (RocksIterator it = db.newIterator(pids, readOptions)) {
            it.seek(StoreKeys.longKey(fromOrdinal));
            while (it.isValid() && delivered < limit) {
                byte[] key = it.key();
                long ordinal = StoreKeys.getLong(key, 0);
                if (ordinal > toOrdinal) {
                    break;
                }
                byte[] value = it.value();
                int length = value.length - 4;
                if (length < 0 || StoreKeys.getInt(value, length) != Checksums.crc32c(key, value, length)) {
                    throw new JournalCorruptedException("CRC32C mismatch in " + where(PIDS, "ordinal " + ordinal));
                }
                consumer.accept(new String(value, 0, length, java.nio.charset.StandardCharsets.UTF_8));
                delivered++;
                it.next();
            }
            iteratorStatus(it, PIDS);
        }
        return delivered;
    }

    /** Receives an event with its global offset. */
    @FunctionalInterface
    public interface OffsetEventConsumer {
        void accept(long offset, EventRecord event);
    }

    private int deliverOffsets(List<byte[]> offsetKeys, OffsetEventConsumer consumer) {
        if (offsetKeys.isEmpty()) {
            return 0;
        }
        List<ColumnFamilyHandle> families = java.util.Collections.nCopies(offsetKeys.size(), events);
        List<byte[]> values;
        try {
            values = db.multiGetAsList(readOptions, families, offsetKeys);
        } catch (RocksDBException e) {
            throw failure("multiGet on " + EVENTS, e);
        }
        for (int i = 0; i < values.size(); i++) {
            long offset = StoreKeys.getLong(offsetKeys.get(i), 0);
            byte[] value = values.get(i);
            if (value == null) {
                throw new JournalCorruptedException("index points at missing event " + where(EVENTS, "offset " + offset));
            }
            consumer.accept(offset, decodeEvent(offset, value));
        }
        int count = offsetKeys.size();
        offsetKeys.clear();
        return count;
    }

    private EventRecord decodeEvent(long offset, byte[] value) {
        if (!EventRecord.isIntact(value)) {
            throw new JournalCorruptedException("CRC32C mismatch in event record " + where(EVENTS, "offset " + offset));
        }
        return EventRecord.decode(value);
    }

    byte[] get(ColumnFamilyHandle family, byte[] key, String familyName) {
        checkOpen();
        try {
            return db.get(family, readOptions, key);
        } catch (RocksDBException e) {
            throw failure("get on " + familyName, e);
        }
    }

    private long lastNumberKey(ColumnFamilyHandle family) {
        try (RocksIterator it = db.newIterator(family, readOptions)) {
            it.seekToLast();
            long last = it.isValid() ? StoreKeys.getLong(it.key(), 0) : 0L;
            iteratorStatus(it, "last key");
            return last;
        }
    }

    private void iteratorStatus(RocksIterator it, String what) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw failure("scan of " + what, e);
        }
    }

    /** Wraps a RocksDB error; corruption (whose RocksDB message names the damaged file) gets its own type. */
    public JournalStoreException failure(String operation, RocksDBException e) {
        Status status = e.getStatus();
        String message = "journal " + dir + ": " + operation + " failed: " + e.getMessage();
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return new JournalCorruptedException(message, e);
        }
        return new JournalStoreException(message, e);
    }

    public String where(String family, String key) {
        return "in journal " + dir + ", column family " + family + ", " + key;
    }

    private void checkOpen() {
        if (closed) {
            throw new JournalStoreException("journal " + dir + " is closed");
        }
    }

    /** Flushes memtables (so the next open replays no WAL) and closes. Callers stop the writer first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, handles);
        } catch (RocksDBException e) {
            throw failure("flush on close", e);
        } finally {
            release();
        }
    }

    private void release() {
        readOptions.close();
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        db.close();
        dbOptions.close();
        familyOptions.close();
        blockCache.close();
    }
}
