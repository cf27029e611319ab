package dev.keel.pluginhost;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code keel.plugin-host} section of reference.conf, parsed once.
 *
 * @param socketDirs where plugins' unix sockets are looked for, in order
 * @param specDirs where {@code .spec} and {@code .json} files are looked for, in order, after the sockets
 * @param callTimeout the longest one call may take, from connecting to the end of the answer
 * @param retryLimit how long lookups and connections are retried in total before the plugin counts as unavailable
 * @param retryInitialDelay the first back-off delay, doubled after each failed attempt
 * @param retryMaxDelay the longest single back-off delay
 * @param maxResponseBytes the largest answer accepted from a plugin
 */
public record PluginHostSettings(
        List<Path> socketDirs,
        List<Path> specDirs,
        Duration callTimeout,
        Duration retryLimit,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        int maxResponseBytes) {

    public PluginHostSettings {
        socketDirs = List.copyOf(socketDirs);
        specDirs = List.copyOf(specDirs);
        requirePositive("call-timeout", callTimeout);
        requirePositive("retry-initial-delay", retryInitialDelay);
        requirePositive("retry-max-delay", retryMaxDelay);
        if (retryLimit.isNegative()) {
            throw new IllegalArgumentException("keel.plugin-host.retry-limit must not be negative: " + retryLimit);
        }
        if (maxResponseBytes < 1024) {
            throw new IllegalArgumentException("keel.plugin-host.max-response-bytes must be at least 1024: "
                    + maxResponseBytes);
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("keel.plugin-host." + key + " must be positive: " + value);
        }
    }

    /** Parses the {@code keel.plugin-host} block (the config passed in is that block). */
    public static PluginHostSettings fromConfig(Config pluginHost) {
        return new PluginHostSettings(
                pluginHost.getStringList("socket-dirs").stream().map(Path::of).toList(),
                pluginHost.getStringList("spec-dirs").stream().map(Path::of).toList(),
                pluginHost.getDuration("call-timeout"),
                pluginHost.getDuration("retry-limit"),
                pluginHost.getDuration("retry-initial-delay"),
                pluginHost.getDuration("retry-max-delay"),
                pluginHost.getInt("max-response-bytes"));
    }

    public PluginHostSettings withDirs(List<Path> sockets, List<Path> specs) {
        return new PluginHostSettings(sockets, specs, callTimeout, retryLimit, retryInitialDelay, retryMaxDelay,
                maxResponseBytes);
    }

    public PluginHostSettings withTimings(Duration timeout, Duration limit, Duration initialDelay) {
        return new PluginHostSettings(socketDirs, specDirs, timeout, limit, initialDelay, retryMaxDelay,
                maxResponseBytes);
    }
}
