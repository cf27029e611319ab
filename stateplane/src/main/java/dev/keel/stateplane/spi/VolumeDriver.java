package dev.keel.stateplane.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A volume driver, shaped after Docker's VolumeDriver plugin protocol so that a remote plugin is one more
 * implementation.
 *
 * <p>Lifecycle: {@link #create} once (creating an existing volume with the same options is not an error), then per
 * container start {@link #mount} with the container's id as caller id and per stop {@link #unmount} with the same id
 * (drivers count mounts per caller), and {@link #remove} once no container uses it. {@link #path}, {@link #get} and
 * {@link #list} only read. Removing or unmounting what does not exist is not an error: the daemon repeats those calls
 * when it cleans up after a crash.
 *
 * <p>Every method may block (a remote plugin, a mount) and is called off actor threads. Failures are
 * {@link VolumeFailure}s.
 */
public interface VolumeDriver {

    /** The name users give with {@code --driver}: "local" or a plugin's name. */
    String name();

    /** Whether volumes exist on this host only or across the cluster; asked once, at first use. */
    VolumeScope scope();

    /** @param options the {@code -o} driver options, e.g. the local driver's {@code type}, {@code device}, {@code o} */
    void create(String name, Map<String, String> options);

    void remove(String name);

    /** Makes the volume available on the host and returns the host path the daemon bind-mounts into the container. */
    Path mount(String name, String callerId);

    void unmount(String name, String callerId);

    /** The host path of a mounted volume, empty when it is not mounted or the driver does not say. */
    Optional<Path> path(String name);

    Optional<VolumeInfo> get(String name);

    List<VolumeInfo> list();

    /**
     * One volume as a driver reports it.
     *
     * @param mountpoint the host path, empty when unknown or not mounted
     * @param createdAt RFC 3339 time, empty when the driver does not say
     * @param status free-form details shown by {@code docker volume inspect}
     */
    record VolumeInfo(String name, Optional<Path> mountpoint, String createdAt, Map<String, String> status) {
        public VolumeInfo {
            status = Map.copyOf(status);
        }
    }
}
