package dev.keel.os.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this daemon process may grant its containers, read from {@code /proc/self}: a container's limits can only
 * be raised above the daemon's own with CAP_SYS_RESOURCE, which a daemon in a restricted VM or container may lack.
 */
final class DaemonPrivileges {

    private static final int CAP_SYS_RESOURCE = 24;

    private DaemonPrivileges() {}

    /** {@code wanted}, or the daemon's own hard open-files limit if that is lower and cannot be raised. */
    static long openFilesLimit(long wanted, Path procSelf) {
        if (hasCapability(procSelf, CAP_SYS_RESOURCE)) {
            return wanted;
        }
        return Math.min(wanted, hardOpenFilesLimit(procSelf));
    }

    static boolean hasCapability(Path procSelf, int capability) {
        for (String line : lines(procSelf.resolve("status"))) {
            if (line.startsWith("CapEff:")) {
                long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (mask & (1L << capability)) != 0;
            }
        }
        return false;
    }

    static long hardOpenFilesLimit(Path procSelf) {
        for (String line : lines(procSelf.resolve("limits"))) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
            }
        }
        return Long.MAX_VALUE;
    }

    private static java.util.List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
