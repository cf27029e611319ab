package dev.keel.httpapi.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this host is called and what it offers, read from the kernel when keeld starts. */
public record HostFacts(String name, int cpus, long memoryBytes) {

    public static HostFacts read() throws IOException {
        String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        return new HostFacts(name, Runtime.getRuntime().availableProcessors(), memTotalBytes(Path.of("/proc/meminfo")));
    }

    /** {@code MemTotal} of a meminfo file, which the kernel gives in KiB. */
    static long memTotalBytes(Path meminfo) throws IOException {
        for (String line : Files.readAllLines(meminfo)) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no MemTotal line in " + meminfo);
    }
}
