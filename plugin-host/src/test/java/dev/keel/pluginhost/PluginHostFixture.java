package dev.keel.pluginhost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a plugin-host integration test stands on: a fresh temp root with its socket and spec directories, a
 * {@link Plugins} registry over them, and the plugin processes the test started. Register it as a field,
 * {@code @RegisterExtension final PluginHostFixture host = new PluginHostFixture();}; after each test the registry is
 * closed, every started plugin stopped and the root deleted, even when the test failed.
 *
 * <p>It runs after the test's own {@code @AfterEach} methods, so those can still call the plugins.
 */
public final class PluginHostFixture implements BeforeEachCallback, AfterEachCallback {

    private final List<PluginProcess> started = new ArrayList<>();
    private Path root;
    private PluginHostDirs dirs;
    private Plugins plugins;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("keel-plugin-host");
        dirs = PluginHostDirs.under(root);
        plugins = new Plugins(dirs.settings());
    }

    /** Closes everything in order and throws the first failure, with the later ones suppressed in it. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> closing = new ArrayList<>();
        if (plugins != null) {
            closing.add(plugins);
        }
        closing.addAll(started);
        if (root != null) {
            closing.add(this::deleteRoot);
        }
        started.clear();
        Exception failure = null;
        for (AutoCloseable resource : closing) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void deleteRoot() throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** This test's own directory; the socket and spec directories are in it. */
    public Path root() {
        return root;
    }

    public PluginHostDirs dirs() {
        return dirs;
    }

    /** The registry over {@link #dirs()}, with {@link PluginHostDirs#settings()}' short timings. */
    public Plugins plugins() {
        return plugins;
    }

    /** Where a plugin called {@code name} listens to be found by its socket. */
    public Path socket(String name) {
        return dirs.socket(name);
    }

    /** The {@code --state} directory of the volume plugins {@link #startVolume} starts. */
    public Path volumeState() {
        return root.resolve("state");
    }

    /** Starts a plugin (see {@link PluginProcess#start}) that is stopped after the test. */
    public PluginProcess start(PluginProcess.Kind kind, Path socket, String... switches) {
        return stopAfterTest(PluginProcess.start(kind, socket, switches));
    }

    /** Starts the volume plugin with its state in {@link #volumeState()}, and the further switches given. */
    public PluginProcess startVolume(Path socket, String... switches) {
        List<String> arguments = new ArrayList<>(List.of("--state", volumeState().toString()));
        arguments.addAll(List.of(switches));
        return start(PluginProcess.Kind.VOLUME, socket, arguments.toArray(String[]::new));
    }

    /** {@link PluginProcess#restart}, and the new process is stopped after the test. */
    public PluginProcess restart(PluginProcess process, String... switches) {
        return stopAfterTest(process.restart(switches));
    }

    private PluginProcess stopAfterTest(PluginProcess process) {
        started.add(process);
        return process;
    }
}
