package dev.keel.os.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An open directory that everything below is reached from, one component at a time with
 * {@code openat(O_NOFOLLOW | O_DIRECTORY)}. A symlink anywhere on the way fails the open instead of being
 * followed, so neither a symlink in the archive nor one swapped in concurrently can redirect a write outside.
 */
public final class RootDirectory implements AutoCloseable {
    private final Syscalls sys;
    private final int fd;
    private final Path path;

    private RootDirectory(Syscalls sys, int fd, Path path) {
        this.sys = sys;
        this.fd = fd;
        this.path = path;
    }

    public static RootDirectory open(Syscalls sys, Path dir) throws IOException {
        return new RootDirectory(sys, sys.openDirectory(Syscalls.AT_FDCWD, dir.toAbsolutePath().toString()), dir);
    }

    public Path path() {
        return path;
    }

    int fd() {
        return fd;
    }

    /**
     * Opens the directory at {@code components} below the root; the caller closes the returned descriptor.
     *
     * @param createMissing make missing directories (mode 0755) on the way, as tar does for implied parents
     */
    public int openDirectory(List<String> components, boolean createMissing, String entry) throws IOException {
        int current = sys.openDirectory(fd, ".");
        try {
            for (String name : components) {
                int next = openChild(current, name, createMissing, entry);
                sys.close(current);
                current = next;
            }
            return current;
        } catch (IOException | RuntimeException e) {
            sys.close(current);
            throw e;
        }
    }

    private int openChild(int dirfd, String name, boolean createMissing, String entry) throws IOException {
        try {
            return sys.openDirectory(dirfd, name);
        } catch (ErrnoException e) {
            if (e.errno() == Syscalls.ELOOP || e.errno() == Syscalls.ENOTDIR && isSymlink(dirfd, name)) {
                throw new ArchiveEscapeException("archive entry '" + entry + "' passes through the symlink '"
                    + name + "', which could lead outside " + path);
            }
            if (e.errno() == Syscalls.ENOTDIR) {
                throw new ArchiveEscapeException("archive entry '" + entry + "': '" + name + "' is not a directory");
            }
            if (e.errno() != Syscalls.ENOENT || !createMissing) {
                throw e;
            }
        }
        try {
            sys.mkdir(dirfd, name, 0755);
        } catch (ErrnoException e) {
            if (e.errno() != Syscalls.EEXIST) {
                throw e;
            }
        }
        return openChild(dirfd, name, false, entry);
    }

    private boolean isSymlink(int dirfd, String name) {
        try {
            sys.readlink(dirfd, name);
            return true;
        } catch (ErrnoException notALink) {
            return false;
        }
    }

    @Override
    public void close() {
        sys.close(fd);
    }
}
