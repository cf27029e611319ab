package dev.keel.os.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a root the way a process chrooted there would see it (Docker's
 * {@code FollowSymlinkInScope}): {@code ..} stops at the root and symlinks, absolute or relative, are followed
 * relative to the root. The result is always the root or below it.
 */
public final class ScopedPaths {
    private static final int MAX_SYMLINKS = 255;

    private ScopedPaths() {
    }

    /** The components, below {@code root}, that {@code path} names inside it. */
    public static List<String> resolve(Path root, String path) throws IOException {
        Deque<String> pending = new ArrayDeque<>(split(path));
        List<String> resolved = new ArrayList<>();
        int hops = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                continue;
            }
            Path candidate = below(root, resolved).resolve(part);
            if (!Files.isSymbolicLink(candidate)) {
                resolved.add(part);
                continue;
            }
            if (++hops > MAX_SYMLINKS) {
                throw new ArchiveEscapeException("too many symlinks resolving '" + path + "' in " + root);
            }
            String target = Files.readSymbolicLink(candidate).toString();
            if (target.startsWith("/")) {
                resolved.clear();
            }
            List<String> targetParts = split(target);
            for (int i = targetParts.size() - 1; i >= 0; i--) {
                pending.addFirst(targetParts.get(i));
            }
        }
        return List.copyOf(resolved);
    }

    /** The host path of {@link #resolve}; open it through {@link RootDirectory} to be safe from later swaps. */
    public static Path resolvePath(Path root, String path) throws IOException {
        Path result = below(root, resolve(root, path));
        if (!result.normalize().startsWith(root.normalize())) {
            throw new ArchiveEscapeException("'" + path + "' does not resolve inside " + root);
        }
        return result;
    }

    private static Path below(Path root, List<String> components) {
        Path p = root;
        for (String c : components) {
            p = p.resolve(c);
        }
        return p;
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }
}
