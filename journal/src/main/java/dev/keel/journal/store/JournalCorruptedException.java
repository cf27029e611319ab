package dev.keel.journal.store;

/**
 * Stored data failed a checksum: a record's CRC32C, or RocksDB's own block/WAL checksum (whose message names the
 * damaged file). Never skipped: the read that met it fails.
 */
public final class JournalCorruptedException extends JournalStoreException {

    private static final long serialVersionUID = 1L;

    public JournalCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalCorruptedException(String message) {
        super(message);
    }
}
