package dev.keel.os.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Checked wrappers over {@link Libc}: every failure becomes an {@link ErrnoException} naming the call,
 * the path and the kernel's reason. One instance per process is enough; it holds no state besides the binding.
 */
public final class Syscalls {
    public static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int S_IFIFO = 0010000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    private static final int MNT_DETACH = 2;

    static final int ENOENT = Errno.ENOENT.intValue();
    static final int EEXIST = Errno.EEXIST.intValue();
    static final int ELOOP = Errno.ELOOP.intValue();
    static final int ENOTDIR = Errno.ENOTDIR.intValue();
    static final int EISDIR = Errno.EISDIR.intValue();
    static final int EPERM = Errno.EPERM.intValue();
    private static final int ENODATA = Errno.ENODATA.intValue();
    private static final int EINVAL = Errno.EINVAL.intValue();

    static final int O_DIRECTORY_NOFOLLOW = OpenFlags.O_RDONLY.intValue() | OpenFlags.O_DIRECTORY.intValue()
        | OpenFlags.O_NOFOLLOW.intValue() | OpenFlags.O_CLOEXEC.intValue();
    private static final int O_CREATE_EXCLUSIVE = OpenFlags.O_WRONLY.intValue() | OpenFlags.O_CREAT.intValue()
        | OpenFlags.O_EXCL.intValue() | OpenFlags.O_NOFOLLOW.intValue() | OpenFlags.O_CLOEXEC.intValue();

    private final Libc libc;
    private final Runtime runtime;

    private Syscalls(Libc libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    public static Syscalls load() {
        return new Syscalls(LibraryLoader.create(Libc.class).load("c"));
    }

    /** Opens a directory without following a symlink in its last component. */
    public int openDirectory(int dirfd, String name) throws ErrnoException {
        return check(libc.openat(dirfd, name, O_DIRECTORY_NOFOLLOW, 0), "open directory", name);
    }

    int createFile(int dirfd, String name) throws ErrnoException {
        return check(libc.openat(dirfd, name, O_CREATE_EXCLUSIVE, 0600), "create", name);
    }

    void mkdir(int dirfd, String name, int mode) throws ErrnoException {
        check(libc.mkdirat(dirfd, name, mode), "mkdir", name);
    }

    void symlink(String target, int dirfd, String name) throws ErrnoException {
        check(libc.symlinkat(target, dirfd, name), "symlink", name);
    }

    void link(int fromDir, String fromName, int toDir, String toName) throws ErrnoException {
        check(libc.linkat(fromDir, fromName, toDir, toName, 0), "link", toName);
    }

    void mknod(int dirfd, String name, int mode, long dev) throws ErrnoException {
        check(libc.mknodat(dirfd, name, mode, dev), "mknod", name);
    }

    void unlink(int dirfd, String name, boolean directory) throws ErrnoException {
        check(libc.unlinkat(dirfd, name, directory ? AT_REMOVEDIR : 0), "unlink", name);
    }

    /** Changes the owner of the entry itself, never a symlink's target. */
    void chown(int dirfd, String name, int uid, int gid) throws ErrnoException {
        check(libc.fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW), "chown", name);
    }

    void chmod(int fd, int mode, String name) throws ErrnoException {
        check(libc.fchmod(fd, mode), "chmod", name);
    }

    void setModificationTime(int dirfd, String name, long epochSeconds) throws ErrnoException {
        long[] times = {epochSeconds, 0, epochSeconds, 0};
        check(libc.utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW), "utimensat", name);
    }

    void setXattr(int fd, String attribute, String value, String name) throws ErrnoException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        check(libc.fsetxattr(fd, attribute, bytes, bytes.length, 0), "setxattr " + attribute, name);
    }

    /** The value of an extended attribute of the entry itself, or null when it has none. */
    public String getXattr(String path, String attribute) throws ErrnoException {
        byte[] buf = new byte[256];
        long n = libc.lgetxattr(path, attribute, buf, buf.length);
        if (n < 0) {
            int errno = runtime.getLastError();
            if (errno == ENODATA) {
                return null;
            }
            throw new ErrnoException("getxattr " + attribute, path, errno, libc.strerror(errno));
        }
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    String readlink(int dirfd, String name) throws ErrnoException {
        byte[] buf = new byte[4096];
        long n = libc.readlinkat(dirfd, name, buf, buf.length);
        if (n < 0) {
            int errno = runtime.getLastError();
            throw new ErrnoException("readlink", name, errno, libc.strerror(errno));
        }
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** Copies the stream into the descriptor and returns the number of bytes written. */
    long copy(InputStream in, int fd, String name) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            int off = 0;
            while (off < n) {
                byte[] chunk = off == 0 ? buf : Arrays.copyOfRange(buf, off, n);
                long w = libc.write(fd, chunk, n - off);
                if (w < 0) {
                    int errno = runtime.getLastError();
                    throw new ErrnoException("write", name, errno, libc.strerror(errno));
                }
                off += (int) w;
            }
            total += n;
        }
        return total;
    }

    void fsync(int fd, String name) throws ErrnoException {
        check(libc.fsync(fd), "fsync", name);
    }

    /** Closes quietly: used on paths that are already failing or finished. */
    public void close(int fd) {
        if (fd >= 0) {
            libc.close(fd);
        }
    }

    public void mount(String source, String target, String fstype, String data) throws ErrnoException {
        mount(source, target, fstype, 0, data);
    }

    /** mount(2) with MS_* flags, e.g. a bind mount or the read-only remount that must follow it. */
    public void mount(String source, String target, String fstype, long flags, String data) throws ErrnoException {
        check(libc.mount(source, target, fstype, flags, data), "mount " + fstype, target);
    }

    /** Unmounts; an already unmounted target is not an error. */
    public void unmount(String target) throws ErrnoException {
        if (libc.umount2(target, 0) == 0) {
            return;
        }
        int errno = runtime.getLastError();
        if (errno == EINVAL || errno == ENOENT) {
            return;
        }
        // A busy mount is detached so it disappears once its last user goes, as Docker does.
        check(libc.umount2(target, MNT_DETACH), "umount", target);
    }

    private int check(int rc, String call, String name) throws ErrnoException {
        if (rc < 0) {
            int errno = runtime.getLastError();
            throw new ErrnoException(call, name, errno, libc.strerror(errno));
        }
        return rc;
    }
}
