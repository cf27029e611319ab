package dev.keel.journal.snapshot;

import dev.keel.journal.store.Checksums;
import dev.keel.journal.store.JournalCorruptedException;
import dev.keel.journal.store.StoreKeys;
import java.nio.charset.StandardCharsets;

/** A stored snapshot: its timestamp and the payload as Pekko serialized it. */
record SnapshotRecord(long timestampMillis, int serializerId, String serializerManifest, byte[] payload) {

    byte[] encode() {
        byte[] manifest = StoreKeys.utf8(serializerManifest);
        byte[] out = new byte[4 + 8 + 4 + 2 + manifest.length + payload.length];
        StoreKeys.putLong(out, 4, timestampMillis);
        StoreKeys.putInt(out, 12, serializerId);
        out[16] = (byte) (manifest.length >>> 8);
        out[17] = (byte) manifest.length;
        System.arraycopy(manifest, 0, out, 18, manifest.length);
        System.arraycopy(payload, 0, out, 18 + manifest.length, payload.length);
        StoreKeys.putInt(out, 0, Checksums.crc32c(out, 4, out.length - 4));
        return out;
    }

    static SnapshotRecord decode(byte[] value, String where) {
        if (value.length < 18 || StoreKeys.getInt(value, 0) != Checksums.crc32c(value, 4, value.length - 4)) {
            throw new JournalCorruptedException("CRC32C mismatch in snapshot " + where);
        }
        int manifestLength = ((value[16] & 0xFF) << 8) | (value[17] & 0xFF);
        String manifest = new String(value, 18, manifestLength, StandardCharsets.UTF_8);
        byte[] payload = java.util.Arrays.copyOfRange(value, 18 + manifestLength, value.length);
        return new SnapshotRecord(StoreKeys.getLong(value, 4), StoreKeys.getInt(value, 12), manifest, payload);
    }
}
