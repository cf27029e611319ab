package dev.keel.journal.store;

import java.util.zip.CRC32C;

/** CRC32C over byte ranges; every value the journal writes carries one. */
public final class Checksums {

    private Checksums() {
    }

    public static int crc32c(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    public static int crc32c(byte[] first, byte[] second, int secondLength) {
        CRC32C crc = new CRC32C();
        crc.update(first, 0, first.length);
        crc.update(second, 0, secondLength);
        return (int) crc.getValue();
    }
}
