package dev.keel.httpapi.startup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** The daemon's pid file, written at start and removed at shutdown if it is still ours. */
public final class PidFile implements AutoCloseable {

    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** The pid file names a live process other than us. */
    public static final class Taken extends Exception {
        public Taken(String message) {
            super(message);
        }
    }

    /**
     * Writes {@code pid} into {@code path}, replacing a stale file like dockerd does.
     *
     * @throws Taken if the file names another live process
     */
    public static PidFile write(Path path, long pid) throws IOException, Taken {
        Optional<Long> previous = read(path);
        if (previous.isPresent() && previous.get() != pid && ProcessHandle.of(previous.get()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new Taken("pid file " + path + " names a running process (pid " + previous.get()
                    + "); make sure keeld is not running or delete " + path);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp" + pid);
        Files.writeString(temporary, pid + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new PidFile(path, pid);
    }

    private static Optional<Long> read(Path path) throws IOException {
        try {
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).strip()));
        } catch (NoSuchFileException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (read(path).filter(owner -> owner == pid).isPresent()) {
            Files.deleteIfExists(path);
        }
    }
}
