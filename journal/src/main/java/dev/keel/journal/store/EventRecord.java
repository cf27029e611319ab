package dev.keel.journal.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One journaled event as stored in the {@code events} column family. The payload is already serialized by Pekko's
 * Serialization (serializer id + manifest + bytes); {@code adapterManifest} is the event adapter's manifest.
 *
 * <p>Encoding, version 1: {@code crc32c:4 version:1 seqNr:8 timestamp:8 serializerId:4 str(pid) str(writerUuid)
 * str(adapterManifest) str(serializerManifest) tagCount:1 str(tag)* payloadLength:4 payload}; the CRC covers
 * everything after itself.
 */
public record EventRecord(
    String persistenceId,
    long sequenceNr,
    long timestampMillis,
    String writerUuid,
    String adapterManifest,
    int serializerId,
    String serializerManifest,
    List<String> tags,
    byte[] payload) {

    private static final byte VERSION = 1;
    private static final int MAX_TAGS = 255;

    /** The tags in UTF-8, as {@link #encode} writes them and the tag index keys them. */
    public byte[][] tagsUtf8() {
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " tags per event, got " + tags.size());
        }
        byte[][] tagBytes = new byte[tags.size()][];
        for (int i = 0; i < tagBytes.length; i++) {
            tagBytes[i] = StoreKeys.utf8(tags.get(i));
        }
        return tagBytes;
    }

    /** @param tagBytes this record's {@link #tagsUtf8()}, computed once for the record and the tag index */
    public byte[] encode(byte[][] tagBytes) {
        byte[] pid = StoreKeys.utf8(persistenceId);
        byte[] writer = StoreKeys.utf8(writerUuid);
        byte[] adapter = StoreKeys.utf8(adapterManifest);
        byte[] serManifest = StoreKeys.utf8(serializerManifest);
        int size = 4 + 1 + 8 + 8 + 4 + 2 + pid.length + 2 + writer.length + 2 + adapter.length + 2 + serManifest.length
            + 1 + 4 + payload.length;
        for (byte[] tag : tagBytes) {
            size += 2 + tag.length;
        }
        byte[] out = new byte[size];
        int at = 4;
        out[at++] = VERSION;
        StoreKeys.putLong(out, at, sequenceNr);
        at += 8;
        StoreKeys.putLong(out, at, timestampMillis);
        at += 8;
        StoreKeys.putInt(out, at, serializerId);
        at += 4;
        at = putString(out, at, pid);
        at = putString(out, at, writer);
        at = putString(out, at, adapter);
        at = putString(out, at, serManifest);
        out[at++] = (byte) tagBytes.length;
        for (byte[] tag : tagBytes) {
            at = putString(out, at, tag);
        }
        StoreKeys.putInt(out, at, payload.length);
        at += 4;
        System.arraycopy(payload, 0, out, at, payload.length);
        StoreKeys.putInt(out, 0, Checksums.crc32c(out, 4, out.length - 4));
        return out;
    }

    /** Whether the stored value's CRC32C and version are right; checked before {@link #decode}. */
    public static boolean isIntact(byte[] value) {
        return value.length >= 4 + 1 + 8 + 8 + 4 + 2 * 4 + 1 + 4
            && StoreKeys.getInt(value, 0) == Checksums.crc32c(value, 4, value.length - 4)
            && value[4] == VERSION;
    }

    /** Decodes a stored value that {@link #isIntact} accepted. */
    public static EventRecord decode(byte[] value) {
        int[] at = {5};
        long seqNr = StoreKeys.getLong(value, at[0]);
        long timestamp = StoreKeys.getLong(value, at[0] + 8);
        int serializerId = StoreKeys.getInt(value, at[0] + 16);
        at[0] += 20;
        String pid = getString(value, at);
        String writer = getString(value, at);
        String adapter = getString(value, at);
        String serManifest = getString(value, at);
        int tagCount = value[at[0]++] & 0xFF;
        List<String> tags = tagCount == 0 ? List.of() : new ArrayList<>(tagCount);
        for (int i = 0; i < tagCount; i++) {
            tags.add(getString(value, at));
        }
        int payloadLength = StoreKeys.getInt(value, at[0]);
        byte[] payload = new byte[payloadLength];
        System.arraycopy(value, at[0] + 4, payload, 0, payloadLength);
        return new EventRecord(pid, seqNr, timestamp, writer, adapter, serializerId, serManifest, tags, payload);
    }

    private static int putString(byte[] out, int at, byte[] utf8) {
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes in event record");
        }
        out[at] = (byte) (utf8.length >>> 8);
        out[at + 1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, out, at + 2, utf8.length);
        return at + 2 + utf8.length;
    }

    private static String getString(byte[] value, int[] at) {
        int length = ((value[at[0]] & 0xFF) << 8) | (value[at[0] + 1] & 0xFF);
        String s = new String(value, at[0] + 2, length, StandardCharsets.UTF_8);
        at[0] += 2 + length;
        return s;
    }
}
