package dev.keel.os.archive;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** The libc calls jnr-posix does not bind: the *at() family, xattrs and mount(2). */
public interface Libc {
    int openat(int dirfd, String path, int flags, int mode);

    int mkdirat(int dirfd, String path, int mode);

    int symlinkat(String target, int newdirfd, String linkpath);

    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    int mknodat(int dirfd, String path, int mode, long dev);

    int unlinkat(int dirfd, String path, int flags);

    int fchownat(int dirfd, String path, int uid, int gid, int flags);

    int fchmod(int fd, int mode);

    long readlinkat(int dirfd, String path, @Out byte[] buf, long size);

    long write(int fd, @In byte[] buf, long count);

    int fsync(int fd);

    int close(int fd);

    int utimensat(int dirfd, String path, @In long[] times, int flags);

    int fsetxattr(int fd, String name, @In byte[] value, long size, int flags);

    long lgetxattr(String path, String name, @Out byte[] value, long size);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    String strerror(int errnum);
}
