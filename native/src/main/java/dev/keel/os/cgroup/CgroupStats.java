package dev.keel.os.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of a container's cgroup v1 counters (memory, cpuacct, cpu, pids, blkio) and the host's CPU time, what
 * {@code docker stats} computes its figures from. A cgroup that does not exist (the container is not running) reads
 * as zeros.
 *
 * @param read             when the counters were read
 * @param systemCpuNanos   the host's total CPU time since boot (all CPUs, all modes), from {@code /proc/stat}
 * @param onlineCpus       the host's CPUs, from {@code /proc/stat}
 */
public record CgroupStats(Instant read, long pidsCurrent, long pidsLimit, Memory memory, Cpu cpu,
                          List<BlkioEntry> ioServiceBytes, long systemCpuNanos, int onlineCpus) {

    /** {@code memory.limit_in_bytes} of an unlimited cgroup, a page-aligned Long.MAX_VALUE. */
    public static final long UNLIMITED_MEMORY = 9_223_372_036_854_771_712L;
    /** USER_HZ: the unit of {@code cpuacct.stat} and {@code /proc/stat}. */
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    /** @param stat {@code memory.stat}, key by key */
    public record Memory(long usage, long maxUsage, long limit, long failcnt, Map<String, Long> stat) {}

    /** Nanoseconds throughout; {@code periods}, {@code throttledPeriods} count CFS periods. */
    public record Cpu(long totalNanos, List<Long> perCpuNanos, long kernelNanos, long userNanos, long periods,
                      long throttledPeriods, long throttledNanos) {}

    /** One line of {@code blkio.throttle.io_service_bytes}: a device and an operation (Read, Write, ...). */
    public record BlkioEntry(long major, long minor, String op, long value) {}

    /** Reads the counters of the cgroup {@code cgroupsPath} ({@code /keel/<id>}). */
    public static CgroupStats read(CgroupTree tree, String cgroupsPath, Instant now) {
        Map<String, Long> memoryStat = keyed(tree.read("memory", cgroupsPath, "memory.stat").orElse(""));
        long limit = number(tree, "memory", cgroupsPath, "memory.limit_in_bytes");
        Memory memory = new Memory(
                number(tree, "memory", cgroupsPath, "memory.usage_in_bytes"),
                number(tree, "memory", cgroupsPath, "memory.max_usage_in_bytes"),
                // Docker reports an unlimited container's limit as the host's memory.
                limit == 0 ? 0 : Math.min(limit, hostMemoryBytes(Path.of("/proc/meminfo"))),
                number(tree, "memory", cgroupsPath, "memory.failcnt"),
                memoryStat);
        Map<String, Long> ticks = keyed(tree.read("cpuacct", cgroupsPath, "cpuacct.stat").orElse(""));
        Map<String, Long> throttling = keyed(tree.read("cpu", cgroupsPath, "cpu.stat").orElse(""));
        List<Long> perCpu = new ArrayList<>();
        for (String n : tree.read("cpuacct", cgroupsPath, "cpuacct.usage_percpu").orElse("").split("\\s+")) {
            if (!n.isEmpty()) {
                perCpu.add(Long.parseLong(n));
            }
        }
        Cpu cpu = new Cpu(number(tree, "cpuacct", cgroupsPath, "cpuacct.usage"), List.copyOf(perCpu),
                ticks.getOrDefault("system", 0L) * NANOS_PER_TICK, ticks.getOrDefault("user", 0L) * NANOS_PER_TICK,
                throttling.getOrDefault("nr_periods", 0L), throttling.getOrDefault("nr_throttled", 0L),
                throttling.getOrDefault("throttled_time", 0L));
        String pidsMax = tree.read("pids", cgroupsPath, "pids.max").orElse("0");
        long[] host = hostCpu(Path.of("/proc/stat"));
        return new CgroupStats(now, number(tree, "pids", cgroupsPath, "pids.current"),
                pidsMax.equals("max") ? 0 : Long.parseLong(pidsMax), memory, cpu,
                blkio(tree.read("blkio", cgroupsPath, "blkio.throttle.io_service_bytes").orElse("")),
                host[0], (int) host[1]);
    }

    /** Whether any process was ever counted: a cgroup that does not exist reads as all zeros. */
    public boolean isEmpty() {
        return memory.limit() == 0 && cpu.totalNanos() == 0 && pidsCurrent == 0;
    }

    private static long number(CgroupTree tree, String controller, String cgroupsPath, String file) {
        return tree.read(controller, cgroupsPath, file).filter(s -> !s.isEmpty()).map(Long::parseLong).orElse(0L);
    }

    /** {@code key value} lines, as in memory.stat, cpuacct.stat and cpu.stat. */
    private static Map<String, Long> keyed(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        text.lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length == 2)
                .forEach(f -> values.put(f[0], Long.parseLong(f[1])));
        return values;
    }

    /** {@code major:minor Op value} lines; the trailing {@code Total} line is left out, as Docker does. */
    private static List<BlkioEntry> blkio(String text) {
        List<BlkioEntry> entries = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].contains(":")) {
                String[] device = f[0].split(":");
                entries.add(new BlkioEntry(Long.parseLong(device[0]), Long.parseLong(device[1]), f[1],
                        Long.parseLong(f[2])));
            }
        }
        return List.copyOf(entries);
    }

    /** {@code MemTotal} of {@code /proc/meminfo}. */
    static long hostMemoryBytes(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return UNLIMITED_MEMORY;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host's total CPU time in nanoseconds and its number of CPUs, as Docker's {@code getSystemCPUUsage}. */
    static long[] hostCpu(Path procStat) {
        try {
            long total = 0;
            int cpus = 0;
            for (String line : Files.readAllLines(procStat)) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("cpu")) {
                    for (int i = 1; i < Math.min(f.length, 8); i++) {
                        total += Long.parseLong(f[i]);
                    }
                } else if (f[0].matches("cpu[0-9]+")) {
                    cpus++;
                }
            }
            return new long[] {total * NANOS_PER_TICK, cpus};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
