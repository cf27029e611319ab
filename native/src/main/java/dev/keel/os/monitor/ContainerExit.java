package dev.keel.os.monitor;

import java.time.Instant;

/**
 * How a container's main process ended, as its monitor recorded it.
 *
 * @param exitCode the exit status, 128+N when killed by signal N; -1 when the monitor's own timeout killed it
 * @param exitedAt when the monitor wrote the exit file
 * @param oomKilled the kernel's OOM killer killed a process of the container (not necessarily the main one,
 *     so the exit code alone does not tell)
 */
public record ContainerExit(int exitCode, Instant exitedAt, boolean oomKilled) {}
