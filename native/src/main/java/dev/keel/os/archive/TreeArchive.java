package dev.keel.os.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a file tree as a tar stream, the way {@code docker export} and {@code docker cp} from a container do:
 * symlinks are stored, never followed (so nothing outside the tree is read through one), a file linked twice is
 * stored once and then as a hard link, owners, modes, times and device numbers are kept, sockets are left out.
 */
public final class TreeArchive {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    private TreeArchive() {
    }

    /**
     * Writes {@code source} and, for a directory, everything below it, then finishes the tar (the stream stays open).
     *
     * @param name the entry name {@code source} gets ({@code "hostname"}, {@code "etc"}); empty for the tree's content
     *     without a top entry (export)
     */
    public static void write(Path source, String name, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new Unclosed(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Map<String, String> linked = new HashMap<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String entry = entryName(source, dir, name);
                if (!entry.isEmpty()) {
                    put(tar, dir, entry + "/", linked);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                put(tar, file, entryName(source, file, name), linked);
                return FileVisitResult.CONTINUE;
            }
        });
        tar.finish();
        tar.flush();
    }

    private static String entryName(Path source, Path p, String name) {
        String rel = source.relativize(p).toString();
        if (name.isEmpty()) {
            return rel;
        }
        return rel.isEmpty() ? name : name + "/" + rel;
    }

    /**
     * Writes one file, directory, link or device as an entry named {@code entry}, without following symlinks; a file
     * whose inode is already in {@code linked} (entry names by "dev:ino") becomes a hard link to its first entry.
     * Sockets are left out.
     */
    public static void put(TarArchiveOutputStream tar, Path p, String entry, Map<String, String> linked)
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
        e.setModTime(((java.nio.file.attribute.FileTime) attrs.get("lastModifiedTime")).toMillis());
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

    /** Lets a tar finish without closing the caller's stream. */
    public static final class Unclosed extends java.io.FilterOutputStream {
        public Unclosed(OutputStream out) {
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
