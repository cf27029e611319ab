package dev.keel.os.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup filesystem under a mount root (normally {@code /sys/fs/cgroup}).
 *
 * <p>On v1 and hybrid hosts each controller has its own hierarchy ({@code <root>/memory}, {@code <root>/pids}, ...);
 * a hybrid host also mounts cgroup2 at {@code <root>/unified}. On a unified host the root itself is cgroup2.
 */
public record CgroupTree(Path root, Layout layout) {

    public enum Layout {
        /** Only v1 hierarchies. */
        V1,
        /** v1 hierarchies plus a cgroup2 mount at {@code unified}. */
        HYBRID,
        /** Only cgroup2 at the root. */
        UNIFIED
    }

    public static CgroupTree detect(Path root) {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupTree(root, Layout.UNIFIED);
        }
        if (Files.exists(root.resolve("unified/cgroup.controllers"))) {
            return new CgroupTree(root, Layout.HYBRID);
        }
        return new CgroupTree(root, Layout.V1);
    }

    /**
     * The controllers enabled in the cgroup2 part of a hybrid host. crun refuses to run when this is not empty
     * ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2").
     */
    public String hybridUnifiedControllers() {
        if (layout != Layout.HYBRID) {
            return "";
        }
        try {
            return Files.readString(root.resolve("unified/cgroup.controllers")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether containers' swap can be limited: cgroup v1 has {@code memory.memsw.*} only with swap accounting
     * ({@code swapaccount=1}); cgroup v2 always has {@code memory.swap.max}.
     */
    public boolean limitsSwap() {
        return layout == Layout.UNIFIED || Files.exists(root.resolve("memory/memory.memsw.limit_in_bytes"));
    }

    /** The directory of {@code cgroupsPath} (e.g. {@code /keel/abc}) for a controller ({@code memory}, {@code pids}). */
    public Path controllerDir(String controller, String cgroupsPath) {
        String relative = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        return layout == Layout.UNIFIED ? root.resolve(relative) : root.resolve(controller).resolve(relative);
    }

    /** Reads one cgroup file of a controller, trimmed; empty when the cgroup or the file does not exist. */
    public Optional<String> read(String controller, String cgroupsPath, String file) {
        Path path = controllerDir(controller, cgroupsPath).resolve(file);
        try {
            return Optional.of(Files.readString(path).trim());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The processes (host pids) in a cgroup, from {@code cgroup.procs} of {@code controller}'s hierarchy; empty when
     * the cgroup does not exist.
     */
    public List<Long> processes(String controller, String cgroupsPath) {
        return read(controller, cgroupsPath, "cgroup.procs").stream()
                .flatMap(String::lines)
                .filter(line -> !line.isBlank())
                .map(line -> Long.parseLong(line.trim()))
                .toList();
    }
}
