package dev.keel.journal.store;

import java.nio.charset.StandardCharsets;

/** Key encodings of the column families (see package-info). Big-endian so RocksDB's byte order is numeric order. */
public final class StoreKeys {

    private StoreKeys() {
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] longKey(long value) {
        byte[] key = new byte[8];
        putLong(key, 0, value);
        return key;
    }

    /** {@code str(name) number:8}: the by-pid, by-tag and snapshot key shape. */
    public static byte[] nameNumberKey(byte[] nameUtf8, long number) {
        byte[] key = new byte[2 + nameUtf8.length + 8];
        key[0] = (byte) (nameUtf8.length >>> 8);
        key[1] = (byte) nameUtf8.length;
        System.arraycopy(nameUtf8, 0, key, 2, nameUtf8.length);
        putLong(key, 2 + nameUtf8.length, number);
        return key;
    }

    /** Whether {@code key} is a {@code nameNumberKey} of the same name as {@code prefixKey}. */
    public static boolean sameName(byte[] key, byte[] prefixKey) {
        if (key.length != prefixKey.length) {
            return false;
        }
        for (int i = 0; i < key.length - 8; i++) {
            if (key[i] != prefixKey[i]) {
                return false;
            }
        }
        return true;
    }

    public static long trailingNumber(byte[] key) {
        return getLong(key, key.length - 8);
    }

    public static void putLong(byte[] target, int at, long value) {
        for (int i = 7; i >= 0; i--) {
            target[at + i] = (byte) value;
            value >>>= 8;
        }
    }

    public static long getLong(byte[] source, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (source[at + i] & 0xFF);
        }
        return value;
    }

    public static void putInt(byte[] target, int at, int value) {
        target[at] = (byte) (value >>> 24);
        target[at + 1] = (byte) (value >>> 16);
        target[at + 2] = (byte) (value >>> 8);
        target[at + 3] = (byte) value;
    }

    public static int getInt(byte[] source, int at) {
        return ((source[at] & 0xFF) << 24) | ((source[at + 1] & 0xFF) << 16)
            | ((source[at + 2] & 0xFF) << 8) | (source[at + 3] & 0xFF);
    }
}
