package dev.keel.os.monitor;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One line of container output: the stream, when the monitor read it, and the bytes, including the final
 * {@code \n} unless the output ended without one. Being a record over an array, equality compares the array's
 * identity; compare {@link #text()} or the bytes' contents.
 */
public record LogEntry(LogStream stream, Instant time, byte[] content) {

    /** The content decoded as UTF-8. */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }
}
