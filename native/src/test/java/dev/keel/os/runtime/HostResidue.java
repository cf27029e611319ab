package dev.keel.os.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What runtime tests could leave on the host, for comparing before and after: processes that mention the test's
 * directories or sit in its cgroups, the container cgroups under the test's cgroup parent, and mounts under the
 * test's directories.
 */
record HostResidue(Set<String> processes, Set<String> cgroups, Set<String> mounts) {

    static HostResidue snapshot(Path testRoot, String cgroupParent) {
        Set<String> processes = new TreeSet<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (Long.parseLong(p.getFileName().toString()) == self) {
                    continue;
                }
                String cmdline = read(p.resolve("cmdline")).replace('\0', ' ');
                String cgroups = read(p.resolve("cgroup"));
                if (cmdline.contains(testRoot.toString()) || cgroups.contains(cgroupParent + "/")) {
                    processes.add(p.getFileName() + " " + cmdline.trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Set<String> cgroups = new TreeSet<>();
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Path parent = controller.resolve(cgroupParent.substring(1));
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        children.filter(Files::isDirectory).forEach(c -> cgroups.add(c.toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Set<String> mounts = new TreeSet<>();
        for (String line : read(Path.of("/proc/self/mountinfo")).split("\n")) {
            if (line.contains(testRoot.toString())) {
                mounts.add(line);
            }
        }
        return new HostResidue(processes, cgroups, mounts);
    }

    /** Removes the (empty) cgroup parent the runtime created, which runc never removes. */
    static void removeCgroupParent(String cgroupParent) throws IOException {
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Files.deleteIfExists(controller.resolve(cgroupParent.substring(1)));
            }
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        return true;
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
