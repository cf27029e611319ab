package dev.keel.journal.store;

/** A RocksDB operation of the embedded journal failed; the message names the directory and the operation. */
public class JournalStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JournalStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public JournalStoreException(String message) {
        super(message);
    }
}
