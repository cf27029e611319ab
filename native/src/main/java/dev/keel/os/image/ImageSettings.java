package dev.keel.os.image;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * The {@code keel.native.image} section of reference.conf, parsed once.
 *
 * @param dataRoot the daemon's data root; images live under {@code <dataRoot>/image}, container layers under
 *                 {@code <dataRoot>/containers}
 * @param maxJsonBytes the largest manifest, index or config JSON read from an archive (they are held in memory)
 */
public record ImageSettings(Path dataRoot, long maxJsonBytes) {
    public ImageSettings {
        if (maxJsonBytes < 1024) {
            throw new IllegalArgumentException("keel.native.image.max-json-bytes must be at least 1k");
        }
        dataRoot = dataRoot.toAbsolutePath().normalize();
    }

    /** Parses the {@code keel.native.image} block (the config passed in is that block). */
    public static ImageSettings fromConfig(Config image) {
        return new ImageSettings(Path.of(image.getString("data-root")), image.getBytes("max-json-bytes"));
    }

    public Path imageDir() {
        return dataRoot.resolve("image");
    }

    public Path containersDir() {
        return dataRoot.resolve("containers");
    }
}
