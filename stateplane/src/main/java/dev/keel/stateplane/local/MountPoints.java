package dev.keel.stateplane.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** The mount points of this process's mount namespace, from /proc/self/mountinfo. */
final class MountPoints {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountPoints() {}

    static Set<Path> current() throws IOException {
        Set<Path> points = new HashSet<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                points.add(Path.of(unescape(fields[4])));
            }
        }
        return points;
    }

    /** mountinfo writes space, tab, newline and backslash as a backslash and three octal digits. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
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
}
