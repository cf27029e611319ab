package dev.keel.os.runtime.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything a bench run may leave on the host, removed at its end whether it passed or failed: processes that name
 * its directories or sit in its cgroups (keeld, dockerd and its containerd, shims, monitors, the containers), mounts
 * under its directories (overlay and shm mounts), its cgroups and the directories themselves. Shared with http-api's
 * benches through native's test-jar.
 */
public record HostLeftovers(List<Path> roots, List<String> cgroupParents) {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /**
     * Removes them also when the bench is stopped with SIGINT or SIGTERM, where finally blocks do not run; answers the
     * hook, to take back once {@link #remove()} has run.
     */
    public Thread removeAtShutdown() {
        Thread hook = new Thread(() -> {
            try {
                remove();
            } catch (IOException | InterruptedException e) {
                System.err.println("bench: could not remove everything it made: " + e);
            }
        }, "bench-leftovers");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Takes back a hook of {@link #removeAtShutdown()}; while the JVM shuts down it is running already. */
    public static void withdraw(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook does the removing.
        }
    }

    public void remove() throws IOException, InterruptedException {
        endProcesses();
        unmount();
        removeCgroups();
        for (Path root : roots) {
            deleteTree(root);
        }
    }

    private void endProcesses() throws InterruptedException {
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> ours = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && (namesARoot(p) || inOurCgroup(p.pid())))
                .toList();
        ours.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : ours) {
            process.onExit().completeOnTimeout(process, 10, TimeUnit.SECONDS).join();
        }
    }

    private boolean namesARoot(ProcessHandle process) {
        return process.info().commandLine()
                .map(line -> roots.stream().anyMatch(root -> line.contains(root.toString())))
                .orElse(false);
    }

    private boolean inOurCgroup(long pid) {
        try {
            String cgroups = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
            return cgroupParents.stream().anyMatch(parent -> cgroups.contains(parent + "/"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Deepest first, lazily: a busy mount must not keep the rest from being removed. */
    private void unmount() throws IOException, InterruptedException {
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = unescape(line.split(" ")[4]);
            if (roots.stream().anyMatch(root -> point.startsWith(root + "/"))) {
                points.add(point);
            }
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Children first: a cgroup directory is removed with rmdir, and only once it is empty. */
    private void removeCgroups() throws IOException {
        try (Stream<Path> controllers = Files.list(CGROUP_ROOT)) {
            for (Path controller : controllers.filter(Files::isDirectory).toList()) {
                for (String parent : cgroupParents) {
                    Path dir = controller.resolve(parent.substring(1));
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> children = Files.list(dir)) {
                            for (Path child : children.filter(Files::isDirectory).toList()) {
                                Files.deleteIfExists(child);
                            }
                        }
                        Files.deleteIfExists(dir);
                    }
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
