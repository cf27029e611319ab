package dev.keel.actors.container;

import java.util.Map;

/**
 * A volume, bind or tmpfs mount, resolved at create (anonymous volumes named, {@code --volumes-from} expanded).
 *
 * @param type "volume", "bind" or "tmpfs"
 * @param source the volume's name, the host path of a bind, empty for tmpfs
 * @param target the absolute path in the container
 * @param options "nocopy" for volumes, propagation for binds, size/mode for tmpfs, as Docker's Mount options
 */
public record ContainerMount(String type, String source, String target, boolean readOnly, Map<String, String> options) {

    public ContainerMount {
        options = Map.copyOf(options);
    }
}
