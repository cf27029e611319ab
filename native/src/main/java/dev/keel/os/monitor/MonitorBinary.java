package dev.keel.os.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * The keel-monitor binary that this jar carries ({@code native/src/main/c/keel-monitor.c}, compiled by the build),
 * put where it can run: a jar entry cannot be executed, and the exec root may be mounted {@code noexec}, so it goes
 * under the state root.
 */
public final class MonitorBinary {

    private static final String RESOURCE = "keel-monitor";

    private MonitorBinary() {}

    /**
     * Writes the bundled binary to {@code <stateRoot>/bin/keel-monitor} when it is missing or differs, as a temp file
     * renamed over the old one: a monitor still running from the old file keeps its inode, so the write never meets
     * {@code ETXTBSY}.
     *
     * @return the binary's path
     */
    public static Path install(Path stateRoot) {
        byte[] bundled;
        try (InputStream in = MonitorBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("keel-monitor is missing from keel-native's jar: build it with Maven");
            }
            bundled = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path target = stateRoot.resolve("bin").resolve(RESOURCE);
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bundled)) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), RESOURCE + ".", ".tmp");
            try {
                Files.write(temp, bundled);
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("installing " + target, e);
        }
    }
}
