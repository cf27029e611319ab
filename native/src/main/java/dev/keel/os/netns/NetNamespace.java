package dev.keel.os.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Network namespaces kept alive by a bind mount of their nsfs file, as {@code ip netns add} does, so that they outlive
 * keeld and the containers in them, and are addressed by path ({@code runc}'s {@code namespaces[].path}, the
 * drivers' sandbox key).
 *
 * <p>Work inside a namespace runs on a thread of this class's own: {@code setns(2)} changes only the calling thread,
 * and a socket created there stays in that namespace after the thread returns to the host's.
 */
public final class NetNamespace {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int MS_BIND = 4096;
    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;

    private static final NamespaceCalls LIBC = LibraryLoader.create(NamespaceCalls.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    private static final ExecutorService INSIDE = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "netns-inside");
        t.setDaemon(true);
        return t;
    });

    private NetNamespace() {}

    /**
     * Creates a new, empty network namespace bound at {@code path} (its parent directories are created). A path that
     * already holds a namespace is left as it is.
     */
    public static void create(Path path) throws IOException {
        if (exists(path)) {
            return;
        }
        Files.createDirectories(path.getParent());
        if (!Files.exists(path)) {
            Files.createFile(path);
        }
        onOwnThread(() -> {
            int host = check(LIBC.open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC), "open own netns", path);
            try {
                check(LIBC.unshare(CLONE_NEWNET), "unshare", path);
                try {
                    check(LIBC.mount("/proc/thread-self/ns/net", path.toString(), null, MS_BIND, null),
                            "bind netns", path);
                } finally {
                    check(LIBC.setns(host, CLONE_NEWNET), "return to host netns", path);
                }
            } finally {
                LIBC.close(host);
            }
            return null;
        });
    }

    /** Unmounts and removes the namespace's file; the namespace goes once no process is left in it. */
    public static void delete(Path path) throws IOException {
        if (LIBC.umount2(path.toString(), MNT_DETACH) != 0) {
            int errno = RUNTIME.getLastError();
            if (errno != EINVAL && errno != ENOENT) {
                throw failure("umount", path, errno);
            }
        }
        Files.deleteIfExists(path);
    }

    /** Whether {@code path} is a mounted network namespace (not just an empty file left behind). */
    public static boolean exists(Path path) throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        String target = " " + path.toAbsolutePath() + " ";
        try (var lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(line -> line.contains(target) && line.contains(" nsfs "));
        }
    }

    /**
     * Runs {@code work} on a thread inside the namespace and returns its result; sockets it opens belong to the
     * namespace.
     */
    public static <T> T inside(Path path, Callable<T> work) throws IOException {
        return onOwnThread(() -> {
            int host = check(LIBC.open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC), "open own netns", path);
            try {
                int target = check(LIBC.open(path.toString(), O_RDONLY_CLOEXEC), "open netns", path);
                try {
                    check(LIBC.setns(target, CLONE_NEWNET), "enter netns", path);
                } finally {
                    LIBC.close(target);
                }
                try {
                    return work.call();
                } finally {
                    check(LIBC.setns(host, CLONE_NEWNET), "return to host netns", path);
                }
            } finally {
                LIBC.close(host);
            }
        });
    }

    private static <T> T onOwnThread(Callable<T> work) throws IOException {
        Future<T> result = INSIDE.submit(work);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in a network namespace", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static int check(int rc, String call, Path path) throws IOException {
        if (rc < 0) {
            throw failure(call, path, RUNTIME.getLastError());
        }
        return rc;
    }

    private static IOException failure(String call, Path path, int errno) {
        return new IOException(call + " " + path + ": " + LIBC.strerror(errno));
    }
}
