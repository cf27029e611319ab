package dev.keel.stateplane;

import dev.keel.stateplane.spi.VolumeFailure;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Docker's copy-up: the first time a new volume is mounted into a container, the image's content at the mount target
 * is copied into it, so that {@code -v data:/var/lib/app} starts with what the image put in {@code /var/lib/app}.
 * Entries keep their type (file, directory, symlink), mode (setuid, setgid and sticky bits included), owner and times;
 * the volume's root takes the owner and mode of the source directory, as Docker's does. A volume that already has
 * content is never touched. Sockets, fifos and device nodes are left out: an image's data directories do not hold them.
 *
 * <p>Blocking file work: call it off actor threads.
 */
public final class VolumeCopyUp {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private VolumeCopyUp() {}

    /**
     * Copies {@code source} into {@code data} when {@code source} is a directory and {@code data} is empty.
     *
     * @return whether it copied
     */
    public static boolean copyUp(Path source, Path data) {
        try {
            if (!Files.isDirectory(source, NOFOLLOW) || !isEmpty(data)) {
                return false;
            }
            Files.walkFileTree(source, new Copier(source, data));
            return true;
        } catch (IOException e) {
            throw new VolumeFailure(VolumeFailure.Kind.FAILED,
                    "failed to copy " + source + " into the volume at " + data + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Creates entries on the way down; gives directories their mode and times on the way up, once filled. */
    private static final class Copier extends SimpleFileVisitor<Path> {
        private final Path source;
        private final Path target;

        Copier(Path source, Path target) {
            this.source = source;
            this.target = target;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            Path copy = target.resolve(source.relativize(dir).toString());
            if (!dir.equals(source)) {
                Files.createDirectory(copy);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Path copy = target.resolve(source.relativize(file).toString());
            if (attrs.isSymbolicLink()) {
                Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                copyOwnerAndTimes(file, copy, attrs);
            } else if (attrs.isRegularFile()) {
                Files.copy(file, copy, NOFOLLOW);
                copyOwnerModeAndTimes(file, copy, attrs);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
            if (failure != null) {
                throw failure;
            }
            Path copy = target.resolve(source.relativize(dir).toString());
            copyOwnerModeAndTimes(dir, copy, Files.readAttributes(dir, BasicFileAttributes.class, NOFOLLOW));
            return FileVisitResult.CONTINUE;
        }

        private static void copyOwnerModeAndTimes(Path from, Path to, BasicFileAttributes attrs) throws IOException {
            Map<String, Object> unix = Files.readAttributes(from, "unix:uid,gid,mode", NOFOLLOW);
            Files.setAttribute(to, "unix:uid", unix.get("uid"), NOFOLLOW);
            Files.setAttribute(to, "unix:gid", unix.get("gid"), NOFOLLOW);
            // After the chown, which clears setuid and setgid.
            Files.setAttribute(to, "unix:mode", (Integer) unix.get("mode") & 07777, NOFOLLOW);
            setTimes(to, attrs);
        }

        private static void copyOwnerAndTimes(Path from, Path to, BasicFileAttributes attrs) throws IOException {
            Map<String, Object> unix = Files.readAttributes(from, "unix:uid,gid", NOFOLLOW);
            Files.setAttribute(to, "unix:uid", unix.get("uid"), NOFOLLOW);
            Files.setAttribute(to, "unix:gid", unix.get("gid"), NOFOLLOW);
            setTimes(to, attrs);
        }

        private static void setTimes(Path to, BasicFileAttributes attrs) throws IOException {
            Files.getFileAttributeView(to, BasicFileAttributeView.class, NOFOLLOW)
                    .setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
        }
    }
}
