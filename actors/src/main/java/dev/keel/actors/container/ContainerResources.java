package dev.keel.actors.container;

/** The limits Docker's create and update accept; 0 means unlimited (Docker's convention). */
public record ContainerResources(long memoryBytes, long memorySwapBytes, long nanoCpus, long cpuShares, long pidsLimit) {

    public static final ContainerResources UNLIMITED = new ContainerResources(0, 0, 0, 0, 0);

    /** Docker refuses smaller limits, the kernel would kill the container at once. */
    public static final long MINIMUM_MEMORY_BYTES = 6L * 1024 * 1024;
}
