package dev.keel.pluginhost;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Socket and spec directories under a test's temp directory, and settings pointing at them with short timings, so
 * tests never touch /run/docker/plugins and never wait 30 s.
 */
public record PluginHostDirs(Path sockets, Path specs) {

    public static PluginHostDirs under(Path root) {
        try {
            return new PluginHostDirs(Files.createDirectories(root.resolve("sockets")),
                    Files.createDirectories(root.resolve("specs")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path socket(String name) {
        return sockets.resolve(name + ".sock");
    }

    /** reference.conf's settings with these directories, a 2 s call timeout and a 1.5 s retry limit. */
    public PluginHostSettings settings() {
        return settings(Duration.ofSeconds(2), Duration.ofMillis(1500));
    }

    public PluginHostSettings settings(Duration callTimeout, Duration retryLimit) {
        return PluginHostSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.plugin-host"))
                .withDirs(List.of(sockets), List.of(specs))
                .withTimings(callTimeout, retryLimit, Duration.ofMillis(100));
    }
}
