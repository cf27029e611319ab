package dev.keel.os.monitor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A process as {@code /proc} shows it: enough to tell whether a pid is still the monitor it was. */
public final class HostProcess {

    private HostProcess() {}

    /** Field 22 of {@code /proc/<pid>/stat}; empty when the process is gone or a zombie. */
    public static Optional<Long> startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses; fields after it follow the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(fields[19]));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The command line, split at NULs; empty when the process is gone. */
    public static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String all = new String(raw, StandardCharsets.UTF_8);
            return all.isEmpty() ? List.of() : List.of(all.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process is alive, was started at {@code startTicks}, and is the monitor of container {@code id}. */
    public static boolean isMonitor(MonitorRecord record, String id) {
        Optional<Long> ticks = startTicks(record.conmonPid());
        if (ticks.isEmpty() || ticks.get() != record.conmonStartTicks()) {
            return false;
        }
        List<String> cmd = commandLine(record.conmonPid());
        int c = cmd.indexOf("-c");
        // A conmon started before keel-monitor replaced it keeps its container across the upgrade, same protocol.
        boolean monitor = !cmd.isEmpty() && (cmd.get(0).endsWith("/keel-monitor") || cmd.get(0).endsWith("conmon"));
        return monitor && c >= 0 && c + 1 < cmd.size() && cmd.get(c + 1).equals(id);
    }

    /** Resident memory ({@code VmRSS}) in KiB; empty when the process is gone. */
    public static Optional<Long> residentKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
