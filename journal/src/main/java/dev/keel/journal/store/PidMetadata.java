package dev.keel.journal.store;

/**
 * Per persistence id: the highest sequence number written, the logical deleted-to marker and the ordinal under
 * which the id appears in the {@code pids} log. Only deleted-to and ordinal are stored ({@code deletedTo:8
 * ordinal:8 crc32c:4}, written on the first write of the id and on deletes); the highest sequence number is the
 * last key of the id in {@code by-pid}, so a normal append writes no metadata entry.
 */
public record PidMetadata(long highestSequenceNr, long deletedTo, long ordinal) {

    private static final int LENGTH = 20;

    public PidMetadata withHighest(long sequenceNr) {
        return new PidMetadata(Math.max(highestSequenceNr, sequenceNr), deletedTo, ordinal);
    }

    /** Pekko's contract: deleting beyond the highest sequence number deletes up to it and keeps it. */
    public PidMetadata withDeletedTo(long toSequenceNr) {
        return new PidMetadata(highestSequenceNr, Math.max(deletedTo, Math.min(toSequenceNr, highestSequenceNr)), ordinal);
    }

    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        StoreKeys.putLong(out, 0, deletedTo);
        StoreKeys.putLong(out, 8, ordinal);
        StoreKeys.putInt(out, 16, Checksums.crc32c(out, 0, 16));
        return out;
    }

    public static boolean isIntact(byte[] value) {
        return value.length == LENGTH && StoreKeys.getInt(value, 16) == Checksums.crc32c(value, 0, 16);
    }

    /** Decodes a stored value that {@link #isIntact} accepted. */
    public static PidMetadata decode(long highestSequenceNr, byte[] value) {
        return new PidMetadata(highestSequenceNr, StoreKeys.getLong(value, 0), StoreKeys.getLong(value, 8));
    }
}
