package dev.keel.os.runtime;

import dev.keel.os.monitor.ContainerExit;
import java.util.Optional;

/**
 * A container found on the host by a new daemon.
 *
 * @param status {@link ContainerStatus#CREATED}, {@code RUNNING} or {@code PAUSED} when its monitor still watches
 *     it (re-adopted: wait, kill, logs and exec work again); {@code STOPPED} with {@link #exit} when it exited,
 *     possibly while no daemon watched; {@code UNMONITORED} when its monitor is gone without an exit record
 * @param pid the container's init process, 0 when not known or gone
 * @param exit how it ended, when it did and the monitor recorded it
 */
public record RecoveredContainer(String id, ContainerStatus status, long pid, Optional<ContainerExit> exit) {}
