package dev.keel.httpapi;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An exec root short enough for the runtime's sockets (exec-root/runtime/socks/ID/attach must fit in a unix socket
 * path), which a temp directory's long random name is not.
 */
public final class ShortExecRoot {

    private ShortExecRoot() {}

    /** A new directory {@code /tmp/<prefix>-<random>}. */
    public static Path create(String prefix) throws IOException {
        while (true) {
            Path candidate = Path.of("/tmp", prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36));
            try {
                return Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                // Another run took that name: draw again.
            }
        }
    }
}
