package dev.keel.os.archive;

import java.util.ArrayList;
import java.util.List;

/**
 * A path taken from an archive, reduced to its components and checked lexically: not absolute, no {@code ..}.
 * Lexical checks alone cannot stop symlink escapes; {@link RootDirectory} handles those when opening.
 *
 * @param components the names from the top of the archive, never empty, never "." or ".."
 */
public record EntryPath(List<String> components) {
    public EntryPath {
        components = List.copyOf(components);
        if (components.isEmpty()) {
            throw new IllegalArgumentException("an entry path has at least one component");
        }
    }

    /** Parses an archive entry name; returns null for the archive's root itself ("./" or "."). */
    public static EntryPath parse(String name) throws ArchiveEscapeException {
        if (name.startsWith("/")) {
            throw new ArchiveEscapeException("archive entry '" + name + "' is an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new ArchiveEscapeException("archive entry '" + name + "' contains '..'");
            }
            if (part.indexOf('\0') >= 0) {
                throw new ArchiveEscapeException("archive entry '" + name + "' contains a NUL byte");
            }
            parts.add(part);
        }
        return parts.isEmpty() ? null : new EntryPath(parts);
    }

    public List<String> parents() {
        return components.subList(0, components.size() - 1);
    }

    public String leaf() {
        return components.get(components.size() - 1);
    }

    @Override
    public String toString() {
        return String.join("/", components);
    }
}
