package dev.keel.actors.container;

import dev.keel.os.runtime.MountSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the container runtime needs from the volume plane: a new container's volumes resolved and created, mounted
 * before each start and unmounted after each run, released when the container goes. Implemented by the volume side of
 * the engine.
 */
public interface ContainerVolumes {

    /**
     * Resolves {@code config}'s binds ({@code -v}), mounts ({@code --mount}), the image's volumes and
     * {@code VolumesFrom} into {@link ContainerConfig#mounts()}: named volumes that do not exist are created (with
     * {@code VolumeDriver}, else "local"), anonymous ones are created with a generated name, and each volume records the
     * container as its user. Binds of host paths stay binds. Refuses what Docker refuses at create.
     *
     * @param imageVolumes the image's {@code Volumes} (container paths)
     */
    CompletionStage<ContainerConfig> resolve(String containerId, ContainerConfig config, List<String> imageVolumes);

    /**
     * Mounts the container's volumes through their drivers, copies the image's content at each target into a volume
     * that is new and empty (Docker's copy-up, unless {@code nocopy}), and returns what the runtime mounts. On failure
     * nothing stays mounted and the start can be retried.
     *
     * @param rootfs the container's mounted root filesystem, read for copy-up
     */
    CompletionStage<List<MountSpec>> mount(ContainerEntity.State container, Path rootfs);

    /** Unmounts after a run; safe to call when nothing is mounted. */
    CompletionStage<Void> unmount(String containerId);

    /**
     * The container was removed: it stops using its volumes, and with {@code removeAnonymous} ({@code docker rm -v})
     * its anonymous volumes are removed.
     */
    CompletionStage<Void> release(ContainerEntity.State container, boolean removeAnonymous);
}
