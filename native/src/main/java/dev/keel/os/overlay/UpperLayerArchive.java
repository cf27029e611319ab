package dev.keel.os.overlay;

import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A container's upper directory as an image layer tar ({@code docker commit}): overlay's markers become the layer
 * format's, a {@code c 0 0} device NAME the empty file {@code .wh.NAME} and a directory with
 * {@code trusted.overlay.opaque=y} an extra empty {@code .wh..wh..opq} inside it. Symlinks are stored, never followed;
 * owners, modes and times are kept; a file linked twice is stored once, then as a hard link; sockets are left out.
 */
public final class UpperLayerArchive {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    private final Syscalls sys;

    public UpperLayerArchive(Syscalls sys) {
        this.sys = sys;
    }

    /** Writes the layer of {@code upper} (an empty tar when it does not exist) and finishes it; {@code out} stays open. */
    public void write(Path upper, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new Unclosed(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        if (Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, String> linked = new HashMap<>();
            Files.walkFileTree(upper, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (dir.equals(upper)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = upper.relativize(dir).toString();
                    put(tar, dir, name + "/", linked);
                    if ("y".equals(sys.getXattr(dir.toString(), Whiteouts.OPAQUE_XATTR))) {
                        marker(tar, name + "/" + Whiteouts.OPAQUE, dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = upper.relativize(file).toString();
                    if (isWhiteout(file)) {
                        Path parent = upper.relativize(file).getParent();
                        String hidden = Whiteouts.PREFIX + file.getFileName();
                        marker(tar, parent == null ? hidden : parent + "/" + hidden, file);
                    } else {
                        put(tar, file, name, linked);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        tar.finish();
        tar.flush();
    }

    /** An empty regular file that only means something to the layer format. */
    private static void marker(TarArchiveOutputStream tar, String name, Path source) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(0);
        e.setMode(0644);
        e.setModTime(Files.getLastModifiedTime(source, LinkOption.NOFOLLOW_LINKS).toMillis());
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static boolean isWhiteout(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFCHR && (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS) == 0;
    }

    private static void put(TarArchiveOutputStream tar, Path p, String entry, Map<String, String> linked)
        throws IOException {
        Map<String, Object> attrs = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,rdev,nlink,size,lastModifiedTime",
            LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attrs.get("mode");
        int type = mode & S_IFMT;
        if (type == S_IFSOCK) {
            return;
        }
        TarArchiveEntry e;
        boolean regular = false;
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(entry, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO) {
            byte flag = type == S_IFCHR ? TarConstants.LF_CHR : type == S_IFBLK ? TarConstants.LF_BLK : TarConstants.LF_FIFO;
            e = new TarArchiveEntry(entry, flag);
            long rdev = (Long) attrs.get("rdev");
            e.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL)));
            e.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL)));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(entry);
        } else {
            String inode = attrs.get("dev") + ":" + attrs.get("ino");
            String first = (Integer) attrs.get("nlink") > 1 ? linked.putIfAbsent(inode, entry) : null;
            if (first != null) {
                e = new TarArchiveEntry(entry, TarConstants.LF_LINK);
                e.setLinkName(first);
            } else {
                e = new TarArchiveEntry(entry);
                e.setSize((Long) attrs.get("size"));
                regular = true;
            }
        }
        e.setMode(mode & 07777);
        e.setUserId((Integer) attrs.get("uid"));
        e.setGroupId((Integer) attrs.get("gid"));
        e.setModTime(((FileTime) attrs.get("lastModifiedTime")).toMillis());
        tar.putArchiveEntry(e);
        if (regular) {
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                long copied = in.transferTo(tar);
                if (copied != e.getSize()) {
                    throw new IOException(p + " changed size while being archived");
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /** Lets the tar finish without closing the caller's stream. */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
