package dev.keel.os.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A busybox root filesystem tarball made from the host's /usr/bin/busybox, as the tests' image. */
final class RootfsTarball {
    private RootfsTarball() {
    }

    static byte[] busybox(String extraFile) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            directory(tar, "bin/");
            directory(tar, "etc/");
            byte[] busybox = Files.readAllBytes(Path.of("/usr/bin/busybox"));
            file(tar, "bin/busybox", busybox, 0755);
            for (String applet : new String[] {"sh", "ls", "cat", "true"}) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("/bin/busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/hostname", "keel\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/" + extraFile, extraFile.getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry dir = new TarArchiveEntry(name);
        dir.setMode(040755);
        tar.putArchiveEntry(dir);
        tar.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
