package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A test's own directory tree on the host, which keeld may have mounted into: taken away whole at the end. */
final class ScratchDirectory {

    private ScratchDirectory() {
    }

    /** Unmounts whatever is mounted under {@code root} (deepest first, lazily), then deletes the tree. */
    static void remove(Path root) throws Exception {
        if (root == null || !Files.exists(root)) {
            return;
        }
        List<String> mountPoints = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(line -> line.split(" ")[1])
                .filter(point -> point.startsWith(root.toString()))
                .sorted(Comparator.reverseOrder())
                .toList();
        for (String point : mountPoints) {
            new ProcessBuilder("umount", "-l", point).inheritIO().start().waitFor();
        }
        deleteTree(root);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
