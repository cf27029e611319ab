package dev.keel.stateplane;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * The {@code keel.stateplane} section of reference.conf, parsed once.
 *
 * @param volumesRoot where the local driver keeps its volumes, one directory per volume
 */
public record StateplaneSettings(Path volumesRoot) {

    public StateplaneSettings {
        if (!volumesRoot.isAbsolute()) {
            throw new IllegalArgumentException("keel.stateplane.volumes-root must be absolute: " + volumesRoot);
        }
    }

    /** Parses the {@code keel.stateplane} block (the config passed in is that block). */
    public static StateplaneSettings fromConfig(Config stateplane) {
        return new StateplaneSettings(Path.of(stateplane.getString("volumes-root")));
    }

    public StateplaneSettings withVolumesRoot(Path root) {
        return new StateplaneSettings(root);
    }
}
