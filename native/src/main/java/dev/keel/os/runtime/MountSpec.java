package dev.keel.os.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A mount the container asks for besides the standard ones (proc, sys, dev, devpts, shm, mqueue).
 *
 * @param type {@code bind} or {@code tmpfs}
 * @param source host path of a bind; {@code tmpfs} for a tmpfs
 * @param destination absolute path inside the container
 * @param options OCI mount options ({@code rbind}, {@code ro}, {@code size=...})
 */
public record MountSpec(String type, String source, String destination, List<String> options) {

    public MountSpec {
        if (!type.equals("bind") && !type.equals("tmpfs")) {
            throw new IllegalArgumentException("mount type must be bind or tmpfs, not " + type);
        }
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination must be absolute: " + destination);
        }
        if (type.equals("bind") && !source.startsWith("/")) {
            throw new IllegalArgumentException("bind source must be an absolute host path: " + source);
        }
        options = List.copyOf(options);
    }

    public static MountSpec bind(String hostPath, String destination, boolean readOnly) {
        return new MountSpec("bind", hostPath, destination, List.of("rbind", "rprivate", readOnly ? "ro" : "rw"));
    }

    /** A tmpfs with Docker's defaults for {@code --tmpfs} (noexec, nosuid, nodev) plus the given options. */
    public static MountSpec tmpfs(String destination, List<String> extraOptions) {
        List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
        options.addAll(extraOptions);
        return new MountSpec("tmpfs", "tmpfs", destination, options);
    }
}
