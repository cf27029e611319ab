package dev.keel.os.netns;

/** The libc calls for namespaces that jnr-posix does not bind. */
public interface NamespaceCalls {
    int open(String path, int flags);

    int close(int fd);

    int setns(int fd, int nstype);

    int unshare(int flags);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    String strerror(int errnum);
}
