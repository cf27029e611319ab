package dev.keel.os.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/** Tars arrive plain or compressed (gzip, bzip2, xz, zstd when available); this opens them as plain tar. */
final class LayerStreams {
    private LayerStreams() {
    }

    static InputStream uncompressed(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 64 * 1024);
        String format;
        try {
            format = CompressorStreamFactory.detect(in);
        } catch (CompressorException e) {
            return in;
        }
        try {
            return new CompressorStreamFactory(true).createCompressorInputStream(format, in);
        } catch (CompressorException e) {
            throw new InvalidImageException("cannot decompress " + format + " archive: " + e.getMessage());
        }
    }
}
