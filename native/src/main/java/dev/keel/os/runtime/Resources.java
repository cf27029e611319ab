package dev.keel.os.runtime;

/**
 * Cgroup limits of a container. Zero (or an empty string) means "not set": the kernel's default applies.
 *
 * @param memoryBytes memory limit
 * @param memorySwapBytes memory and swap together (the OCI spec's {@code memory.swap}, cgroup v1's
 *     {@code memory.memsw.limit_in_bytes}); -1 unlimited; only with a memory limit
 * @param cpuShares relative CPU weight (Docker's {@code --cpu-shares}, 2..262144)
 * @param cpuQuotaMicros CPU time allowed per period
 * @param cpuPeriodMicros the CFS period (1000..1000000)
 * @param cpusetCpus CPUs the container may run on ({@code 0-1}, {@code 0,2})
 * @param cpusetMems memory nodes the container may use
 * @param pidsLimit most processes at once
 */
public record Resources(
    long memoryBytes,
    long memorySwapBytes,
    long cpuShares,
    long cpuQuotaMicros,
    long cpuPeriodMicros,
    String cpusetCpus,
    String cpusetMems,
    long pidsLimit) {

    public static final Resources NONE = new Resources(0, 0, 0, 0, 0, "", "", 0);

    /** The kernel refuses memory limits below a few pages, and Docker below 6 MiB. */
    static final long MIN_MEMORY_BYTES = 6L * 1024 * 1024;

    public Resources {
        if (memoryBytes < 0 || cpuShares < 0 || cpuQuotaMicros < 0 || cpuPeriodMicros < 0 || pidsLimit < 0) {
            throw new IllegalArgumentException("invalid resource value: limits cannot be negative");
        }
        if (memoryBytes != 0 && memoryBytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("invalid resource value: minimum memory limit allowed is 6MB");
        }
        if (memorySwapBytes != 0 && memoryBytes == 0) {
            throw new IllegalArgumentException("invalid resource value: a swap limit needs a memory limit");
        }
        if (memorySwapBytes < -1 || (memorySwapBytes > 0 && memorySwapBytes < memoryBytes)) {
            throw new IllegalArgumentException("invalid resource value: the memory+swap limit must be at least the "
                + "memory limit, or -1 for unlimited swap");
        }
        if (cpuShares != 0 && (cpuShares < 2 || cpuShares > 262144)) {
            throw new IllegalArgumentException("invalid resource value: cpu shares must be between 2 and 262144");
        }
        if (cpuPeriodMicros != 0 && (cpuPeriodMicros < 1000 || cpuPeriodMicros > 1_000_000)) {
            throw new IllegalArgumentException("invalid resource value: cpu period must be between 1ms and 1s");
        }
        if (cpuQuotaMicros != 0 && cpuQuotaMicros < 1000) {
            throw new IllegalArgumentException("invalid resource value: cpu quota must be at least 1ms");
        }
        if (!cpusetCpus.matches("[0-9,\\-]*") || !cpusetMems.matches("[0-9,\\-]*")) {
            throw new IllegalArgumentException("invalid resource value: cpuset must look like 0-2,4");
        }
    }

    public Resources withMemoryBytes(long bytes) {
        return new Resources(bytes, 0, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus, cpusetMems, pidsLimit);
    }

    public Resources withPidsLimit(long limit) {
        return new Resources(memoryBytes, memorySwapBytes, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus,
            cpusetMems, limit);
    }

    public Resources withCpu(long shares, long quotaMicros, long periodMicros) {
        return new Resources(memoryBytes, memorySwapBytes, shares, quotaMicros, periodMicros, cpusetCpus, cpusetMems,
            pidsLimit);
    }

    public Resources withCpuset(String cpus, String mems) {
        return new Resources(memoryBytes, memorySwapBytes, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpus, mems,
            pidsLimit);
    }
}
