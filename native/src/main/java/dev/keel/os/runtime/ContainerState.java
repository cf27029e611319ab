package dev.keel.os.runtime;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A container as the OCI runtime reports it.
 *
 * @param pid the container's init process on the host; 0 once stopped
 * @param bundle the bundle directory (holds config.json)
 * @param createdAt when the runtime created it
 */
public record ContainerState(String id, ContainerStatus status, long pid, Path bundle, Instant createdAt) {}
