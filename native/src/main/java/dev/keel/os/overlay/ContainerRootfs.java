package dev.keel.os.overlay;

import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.Whiteouts;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A container's root filesystem: an overlayfs mount whose lower directories are the container's init layer and the
 * image's layers (top first) and whose upper and work directories are the container's own, under
 * {@code <data-root>/containers/<id>/{init,upper,work,merged}}. Mounting is mount(2) called through jnr-ffi, not the
 * {@code mount} binary.
 *
 * <p>The init layer holds the mount points of the files the daemon binds in (/etc/hosts, /etc/hostname,
 * /etc/resolv.conf), as Docker's does, so that the runtime finds them and does not create them in the upper
 * directory, where they would show as the container's own changes in diff and commit.
 */
public final class ContainerRootfs {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final List<String> INIT_FILES = List.of("hosts", "hostname", "resolv.conf");

    private final Syscalls sys;
    private final Path dir;
    private final List<Path> lowerTopFirst;

    /**
     * @param containersDir {@code <data-root>/containers}
     * @param lowerTopFirst the image's layer directories, top layer first; may be empty for a rootfs that is only
     *     unmounted or removed
     */
    public ContainerRootfs(Syscalls sys, Path containersDir, String containerId, List<Path> lowerTopFirst) {
        if (!containerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("invalid container id: " + containerId);
        }
        this.sys = sys;
        this.dir = containersDir.resolve(containerId);
        this.lowerTopFirst = List.copyOf(lowerTopFirst);
    }

    public Path upper() {
        return dir.resolve("upper");
    }

    public Path merged() {
        return dir.resolve("merged");
    }

    private Path work() {
        return dir.resolve("work");
    }

    private Path init() throws IOException {
        Path init = dir.resolve("init");
        Path etc = Files.createDirectories(init.resolve("etc"));
        for (String name : INIT_FILES) {
            if (!Files.exists(etc.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(etc.resolve(name));
            }
        }
        return init;
    }

    /** Mounts the overlay on {@code merged}, creating the container's directories; mounting twice is a no-op. */
    public Path mount() throws IOException {
        Files.createDirectories(upper());
        Files.createDirectories(work());
        Files.createDirectories(merged());
        if (isMounted()) {
            return merged();
        }
        if (lowerTopFirst.isEmpty()) {
            throw new IllegalArgumentException("an overlay needs at least one lower layer");
        }
        List<Path> lowers = new ArrayList<>();
        lowers.add(init());
        lowers.addAll(lowerTopFirst);
        String lower = lowers.stream().map(ContainerRootfs::escapeOption).collect(Collectors.joining(":"));
        String options = "lowerdir=" + lower + ",upperdir=" + escapeOption(upper()) + ",workdir="
            + escapeOption(work());
        sys.mount("overlay", merged().toString(), "overlay", options);
        return merged();
    }

    public void unmount() throws IOException {
        if (isMounted()) {
            sys.unmount(merged().toString());
        }
    }

    /** Whether {@code merged} is a mount point, from /proc/self/mountinfo. */
    public boolean isMounted() throws IOException {
        String target = merged().toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescapeMountinfo(fields[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Unmounts and removes the container's upper, work and merged directories. */
    public void remove() throws IOException {
        unmount();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * {@code docker diff}: what the upper directory holds relative to the layers. A {@code c 0 0} device is a
     * deletion; an entry that exists in a lower layer is a modification (directories appear because something
     * below them changed); anything else was added. Below an opaque directory everything is new.
     */
    public List<Change> changes() throws IOException {
        List<Change> changes = new ArrayList<>();
        Path upper = upper();
        Files.walkFileTree(upper, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(upper)) {
                    record(d);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                record(file);
                return FileVisitResult.CONTINUE;
            }

            private void record(Path p) throws IOException {
                String rel = upper.relativize(p).toString();
                String path = "/" + rel;
                if (isWhiteout(p)) {
                    changes.add(new Change(Change.Kind.DELETED, path));
                } else if (existsBelow(upper, p)) {
                    changes.add(new Change(Change.Kind.MODIFIED, path));
                } else {
                    changes.add(new Change(Change.Kind.ADDED, path));
                }
            }
        });
        changes.sort(Comparator.comparing(Change::path));
        return changes;
    }

    private boolean existsBelow(Path upper, Path p) throws IOException {
        Path rel = upper.relativize(p);
        for (Path parent = p.getParent(); !parent.equals(upper); parent = parent.getParent()) {
            if ("y".equals(sys.getXattr(parent.toString(), Whiteouts.OPAQUE_XATTR))) {
                return false;
            }
        }
        for (Path lower : lowerTopFirst) {
            Path candidate = lower.resolve(rel.toString());
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return !isWhiteout(candidate);
            }
            if (hiddenInLayer(lower, rel)) {
                return false;
            }
        }
        return false;
    }

    /** Whether a whiteout or an opaque directory in this layer hides {@code rel} from the layers below. */
    private boolean hiddenInLayer(Path lower, Path rel) throws IOException {
        Path current = lower;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            current = current.resolve(rel.getName(i).toString());
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                return Files.exists(current, LinkOption.NOFOLLOW_LINKS);
            }
            if ("y".equals(sys.getXattr(current.toString(), Whiteouts.OPAQUE_XATTR))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWhiteout(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFCHR) {
            return false;
        }
        long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        return rdev == 0;
    }

    /** Overlay options are comma- and colon-separated; a path containing either must escape it. */
    private static String escapeOption(Path p) {
        return p.toAbsolutePath().toString().replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:");
    }

    private static String unescapeMountinfo(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
