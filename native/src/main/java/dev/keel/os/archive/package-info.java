/**
 * Reading archives and resolving paths inside a root without escaping it (the class of CVE-2018-15664 and
 * CVE-2019-14271).
 *
 * <p>Approach. Writes never go through a path string that the kernel resolves from the host's root. An entry
 * name is first checked lexically ({@link dev.keel.os.archive.EntryPath}: no absolute path, no {@code ..}); then
 * its parent is reached from an open descriptor of the target root one component at a time with
 * {@code openat(O_DIRECTORY|O_NOFOLLOW)} ({@link dev.keel.os.archive.RootDirectory}), and the entry is created
 * relative to that parent descriptor ({@code openat(O_CREAT|O_EXCL|O_NOFOLLOW)}, {@code mkdirat},
 * {@code symlinkat}, {@code mknodat}, {@code linkat} without following). A symlink met on the way, whether it came
 * from the archive or was swapped in by a process racing us, makes the open fail with {@code ELOOP}, which is
 * reported as an {@link dev.keel.os.archive.ArchiveEscapeException}; there is no check-then-use window.
 *
 * <p>Paths a user names inside a container (for {@code docker cp}) are resolved like Docker's
 * {@code FollowSymlinkInScope} by {@link dev.keel.os.archive.ScopedPaths}: symlinks are followed as if the root
 * were {@code /}, so the result is always below the root; the caller then opens the result through
 * {@link dev.keel.os.archive.RootDirectory}, so a symlink swapped in after the resolution fails the open instead
 * of being followed.
 *
 * <p>The libc binding is jnr-ffi ({@link dev.keel.os.archive.Libc}), the same library jnr-posix sits on;
 * jnr-posix itself has no {@code *at()} calls.
 */
package dev.keel.os.archive;
