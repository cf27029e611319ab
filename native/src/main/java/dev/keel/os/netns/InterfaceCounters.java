package dev.keel.os.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The traffic counters of one network interface, as {@code /proc/<pid>/net/dev} shows them for the network namespace
 * of that process: what {@code docker stats} reports per interface of a container.
 */
public record InterfaceCounters(String name, long rxBytes, long rxPackets, long rxErrors, long rxDropped,
                                long txBytes, long txPackets, long txErrors, long txDropped) {

    /**
     * The interfaces in the network namespace of process {@code pid}, without {@code lo} (Docker leaves it out);
     * empty when the process is gone.
     */
    public static List<InterfaceCounters> ofProcess(long pid) {
        try {
            return parse(Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "dev")));
        } catch (IOException e) {
            // Gone, or ending while its file is read.
            return List.of();
        }
    }

    /** Parses {@code net/dev}: two header lines, then {@code name: rx bytes packets errs drop … tx bytes …}. */
    static List<InterfaceCounters> parse(List<String> lines) {
        List<InterfaceCounters> counters = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 12) {
                continue;
            }
            counters.add(new InterfaceCounters(name, Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]),
                Long.parseLong(f[11])));
        }
        return counters;
    }
}
