package dev.keel.os.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar stream into a directory without ever writing outside it. Every entry is checked lexically
 * ({@link EntryPath}), then created relative to a descriptor of its parent reached through {@link RootDirectory}
 * (no symlink is followed on the way), with {@code O_CREAT|O_EXCL|O_NOFOLLOW} for files and {@code linkat}
 * without {@code AT_SYMLINK_FOLLOW} for hard links whose source is reached the same way. Symlinks themselves may
 * point anywhere: they are data, interpreted later inside the container, and never followed here.
 */
public final class TarExtractor {
    /** What to do with {@code .wh.} entries. */
    public enum WhiteoutHandling {
        /** Image layers: turn them into overlayfs whiteouts and opaque directories. */
        OVERLAY,
        /** Plain files: keep them as ordinary entries. */
        LITERAL
    }

    /** @param entries entries written @param bytes bytes of regular file content written */
    public record Summary(long entries, long bytes) {
    }

    private final Syscalls sys;

    public TarExtractor(Syscalls sys) {
        this.sys = sys;
    }

    /** Extracts an uncompressed tar stream into {@code target}, which must exist. */
    public Summary extract(InputStream tar, Path target, WhiteoutHandling whiteouts) throws IOException {
        long entries = 0;
        long bytes = 0;
        try (RootDirectory root = RootDirectory.open(sys, target);
             TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                EntryPath path = EntryPath.parse(entry.getName());
                if (path == null) {
                    continue;
                }
                int parent = root.openDirectory(path.parents(), true, entry.getName());
                try {
                    bytes += extractEntry(root, parent, path, entry, in, whiteouts);
                    entries++;
                } finally {
                    sys.close(parent);
                }
            }
        }
        return new Summary(entries, bytes);
    }

    private long extractEntry(RootDirectory root, int parent, EntryPath path, TarArchiveEntry entry,
                              InputStream content, WhiteoutHandling whiteouts) throws IOException {
        String leaf = path.leaf();
        if (whiteouts == WhiteoutHandling.OVERLAY) {
            Whiteouts.Kind kind = Whiteouts.classify(leaf);
            if (kind instanceof Whiteouts.Opaque) {
                sys.setXattr(parent, Whiteouts.OPAQUE_XATTR, "y", path.toString());
                return 0;
            }
            if (kind instanceof Whiteouts.Bookkeeping) {
                return 0;
            }
            if (kind instanceof Whiteouts.Hides hides) {
                if (hides.name().equals(".") || hides.name().equals("..")) {
                    throw new ArchiveEscapeException("archive entry '" + entry.getName() + "' is not a valid whiteout");
                }
                removeExisting(parent, hides.name());
                sys.mknod(parent, hides.name(), Syscalls.S_IFCHR, 0);
                return 0;
            }
        }
        int mode = entry.getMode() & 07777;
        long written = 0;
        if (entry.isDirectory()) {
            makeDirectory(parent, leaf);
            int dir = sys.openDirectory(parent, leaf);
            try {
                chown(parent, leaf, entry);
                sys.chmod(dir, mode, path.toString());
            } finally {
                sys.close(dir);
            }
            return 0;
        }
        removeExisting(parent, leaf);
        if (entry.isSymbolicLink()) {
            sys.symlink(entry.getLinkName(), parent, leaf);
            chown(parent, leaf, entry);
        } else if (entry.isLink()) {
            linkWithinRoot(root, parent, leaf, entry);
            return 0;
        } else if (entry.isFile()) {
            int fd = sys.createFile(parent, leaf);
            try {
                written = sys.copy(content, fd, path.toString());
                chown(parent, leaf, entry);
                sys.chmod(fd, mode, path.toString());
            } finally {
                sys.close(fd);
            }
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            int type = entry.isFIFO() ? Syscalls.S_IFIFO
                : entry.isCharacterDevice() ? Syscalls.S_IFCHR : Syscalls.S_IFBLK;
            sys.mknod(parent, leaf, type | mode, deviceNumber(entry.getDevMajor(), entry.getDevMinor()));
            chown(parent, leaf, entry);
        } else {
            return 0;
        }
        sys.setModificationTime(parent, leaf, entry.getModTime().getTime() / 1000);
        return written;
    }

    private void linkWithinRoot(RootDirectory root, int parent, String leaf, TarArchiveEntry entry)
        throws IOException {
        EntryPath source = EntryPath.parse(entry.getLinkName());
        if (source == null) {
            throw new ArchiveEscapeException("archive entry '" + entry.getName() + "' is a hard link to the root");
        }
        int sourceParent = root.openDirectory(source.parents(), false, entry.getName());
        try {
            sys.link(sourceParent, source.leaf(), parent, leaf);
        } finally {
            sys.close(sourceParent);
        }
    }

    private void makeDirectory(int parent, String leaf) throws IOException {
        try {
            sys.mkdir(parent, leaf, 0700);
            return;
        } catch (ErrnoException e) {
            if (e.errno() != Syscalls.EEXIST) {
                throw e;
            }
        }
        try {
            sys.close(sys.openDirectory(parent, leaf));
        } catch (ErrnoException e) {
            // A later entry replaces an earlier non-directory of the same name, as tar does.
            sys.unlink(parent, leaf, false);
            sys.mkdir(parent, leaf, 0700);
        }
    }

    private void removeExisting(int parent, String leaf) throws IOException {
        try {
            sys.unlink(parent, leaf, false);
        } catch (ErrnoException e) {
            if (e.errno() == Syscalls.EISDIR || e.errno() == Syscalls.EPERM) {
                sys.unlink(parent, leaf, true);
            } else if (e.errno() != Syscalls.ENOENT) {
                throw e;
            }
        }
    }

    private void chown(int parent, String leaf, TarArchiveEntry entry) throws IOException {
        try {
            sys.chown(parent, leaf, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
        } catch (ErrnoException e) {
            // Without CAP_CHOWN (a rootless daemon) files keep the daemon's owner, as rootless Docker does.
            if (e.errno() != Syscalls.EPERM) {
                throw e;
            }
        }
    }

    /** Linux's makedev: the 12/20-bit split of major and minor. */
    private static long deviceNumber(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
            | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }
}
