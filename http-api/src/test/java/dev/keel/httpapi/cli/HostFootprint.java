package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a keeld on roots of a test's own puts on the host at one moment: the mounts that name those roots, the
 * cgroups under its cgroup parent (every controller), and the processes that name the roots or live in those cgroups.
 * Mounts are narrowed to the roots because other tests on this machine mount and unmount at the same time.
 */
public record HostFootprint(Set<String> mounts, Set<String> cgroups, Set<String> processes) {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    static HostFootprint take(List<Path> roots, String cgroupParent) {
        List<String> names = roots.stream().map(Path::toString).toList();
        try {
            Set<String> mounts = new LinkedHashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (names.stream().anyMatch(line::contains)) {
                    mounts.add(line);
                }
            }
            Set<String> cgroups = new LinkedHashSet<>(cgroupDirectories(cgroupParent));
            Set<String> processes = new LinkedHashSet<>();
            long self = ProcessHandle.current().pid();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    if (Long.parseLong(proc.getFileName().toString()) == self) {
                        continue;
                    }
                    String cmdline = readQuietly(proc.resolve("cmdline")).replace('\0', ' ').strip();
                    if (names.stream().anyMatch(cmdline::contains)
                            || readQuietly(proc.resolve("cgroup")).contains(cgroupParent + "/")) {
                        processes.add(proc.getFileName() + " " + cmdline);
                    }
                }
            }
            return new HostFootprint(mounts, cgroups, processes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What is on the host now and was not at {@code before}. */
    List<String> addedSince(HostFootprint before) {
        List<String> added = new ArrayList<>();
        mounts.stream().filter(m -> !before.mounts.contains(m)).forEach(m -> added.add("mount " + m));
        cgroups.stream().filter(c -> !before.cgroups.contains(c)).forEach(c -> added.add("cgroup " + c));
        processes.stream().filter(p -> !before.processes.contains(p)).forEach(p -> added.add("process " + p));
        return added;
    }

    /** The pids of {@link #processes()}. */
    List<Long> pids() {
        return processes.stream().map(p -> Long.parseLong(p.substring(0, p.indexOf(' ')))).toList();
    }

    /** Each controller's directories below {@code cgroupParent}, deepest first, so that they can be removed in order. */
    static List<String> cgroupDirectories(String cgroupParent) throws IOException {
        List<String> directories = new ArrayList<>();
        try (Stream<Path> controllers = Files.list(CGROUP_ROOT)) {
            for (Path controller : controllers.toList()) {
                Path parent = controller.resolve(cgroupParent.substring(1));
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> tree = Files.walk(parent)) {
                        tree.filter(Files::isDirectory).filter(d -> !d.equals(parent))
                                .map(Path::toString).sorted((a, b) -> b.compareTo(a)).forEach(directories::add);
                    }
                }
            }
        }
        return directories;
    }

    /** Removes the cgroup directories below {@code cgroupParent} and the parent itself, in every controller. */
    public static void removeCgroups(String cgroupParent) throws IOException {
        for (String directory : cgroupDirectories(cgroupParent)) {
            Files.deleteIfExists(Path.of(directory));
        }
        try (Stream<Path> controllers = Files.list(CGROUP_ROOT)) {
            for (Path controller : controllers.toList()) {
                Path parent = controller.resolve(cgroupParent.substring(1));
                if (Files.isDirectory(parent)) {
                    Files.deleteIfExists(parent);
                }
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The process ended while the footprint was taken.
            return "";
        }
    }
}
