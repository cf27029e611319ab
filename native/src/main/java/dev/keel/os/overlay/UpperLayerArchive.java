package dev.keel.os.overlay;

import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.TreeArchive;
import dev.keel.os.archive.Whiteouts;
import java.io.IOException;
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

/**
 * A container's upper directory as an image layer tar ({@code docker commit}): overlay's markers become the layer
 * format's, a {@code c 0 0} device NAME the empty file {@code .wh.NAME} and a directory with
 * {@code trusted.overlay.opaque=y} an extra empty {@code .wh..wh..opq} inside it. Symlinks are stored, never followed;
 * owners, modes and times are kept; a file linked twice is stored once, then as a hard link; sockets are left out.
 */
public final class UpperLayerArchive {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private final Syscalls sys;

    public UpperLayerArchive(Syscalls sys) {
        this.sys = sys;
    }

    /** Writes the layer of {@code upper} (an empty tar when it does not exist) and finishes it; {@code out} stays open. */
    public void write(Path upper, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new TreeArchive.Unclosed(out));
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
                    TreeArchive.put(tar, dir, name + "/", linked);
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
                        TreeArchive.put(tar, file, name, linked);
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
}
