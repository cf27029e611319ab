package dev.keel.pluginhost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the python test plugins (src/test/resources/plugins) running as a real, separate process, serving HTTP on
 * a unix socket. Started and stopped by PID; {@link #start} returns once the socket is there, which the plugin makes
 * appear only when it listens. Each request the plugin gets is in {@link #requests()}.
 *
 * <p>Shipped in the test-jar so other modules' tests can run the same plugins.
 */
public final class PluginProcess implements AutoCloseable {

    /** The protocols, one script each. */
    public enum Kind {
        VOLUME("volume_plugin.py"), NETWORK("network_plugin.py"), IPAM("ipam_plugin.py"), AUTHZ("authz_plugin.py");

        private final String script;

        Kind(String script) {
            this.script = script;
        }
    }

    private static final List<String> SCRIPTS = List.of("pluginlib.py", "volume_plugin.py", "network_plugin.py",
            "ipam_plugin.py", "authz_plugin.py");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path scriptDir;

    private final Kind kind;
    private final Path socket;
    private final Path requestLog;
    private final Path output;
    private final List<String> arguments;
    private final Process process;

    private PluginProcess(Kind kind, Path socket, Path requestLog, Path output, List<String> arguments,
                          Process process) {
        this.kind = kind;
        this.socket = socket;
        this.requestLog = requestLog;
        this.output = output;
        this.arguments = List.copyOf(arguments);
        this.process = process;
    }

    /**
     * Starts the plugin on {@code socket} and waits until it listens.
     *
     * @param socket the unix socket; with {@code --tcp}, the {@code .spec} or {@code .json} description the plugin
     *     writes once it listens on TCP
     * @param arguments further switches: {@code --misbehave slow|garbage|crash|error}, {@code --on METHOD},
     *     {@code --state DIR} (volume), {@code --tcp}, … (see the scripts)
     */
    public static PluginProcess start(Kind kind, Path socket, String... arguments) {
        return start(kind, socket, socket.resolveSibling(socket.getFileName() + ".requests"), List.of(arguments));
    }

    private static PluginProcess start(Kind kind, Path socket, Path requestLog, List<String> arguments) {
        try {
            Files.createDirectories(socket.getParent());
            Path scripts = scripts();
            Path output = scripts.resolve(socket.getFileName() + "-" + System.nanoTime() + ".out");
            output.toFile().deleteOnExit();
            List<String> command = new ArrayList<>(List.of("python3", scripts.resolve(kind.script).toString(),
                    "--socket", socket.toString(), "--log", requestLog.toString()));
            command.addAll(arguments);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            PluginProcess plugin = new PluginProcess(kind, socket, requestLog, output, arguments, process);
            try {
                plugin.awaitSocket();
            } catch (RuntimeException e) {
                plugin.kill();
                throw e;
            }
            return plugin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path scripts() throws IOException {
        if (scriptDir == null) {
            Path dir = Files.createTempDirectory("keel-test-plugins");
            // deleteOnExit runs in reverse order: the files registered later go first, the directory last
            dir.toFile().deleteOnExit();
            for (String script : SCRIPTS) {
                dir.resolve(script).toFile().deleteOnExit();
                try (InputStream in = PluginProcess.class.getResourceAsStream("/plugins/" + script)) {
                    if (in == null) {
                        throw new IOException("test plugin " + script + " is not on the classpath");
                    }
                    Files.copy(in, dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            scriptDir = dir;
        }
        return scriptDir;
    }

    /** Waits on the socket's directory for the socket to appear, or for the process to die. */
    private void awaitSocket() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            socket.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(socket)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(kind + " plugin exited with " + process.exitValue()
                            + " before listening: " + output());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(kind + " plugin did not listen on " + socket + " within "
                            + START_TIMEOUT + ": " + output());
                }
                WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + socket, e);
        }
    }

    /** The same plugin again, on the same socket, with the same switches unless others are given. */
    public PluginProcess restart(String... newArguments) {
        close();
        return start(kind, socket, requestLog, newArguments.length == 0 ? arguments : List.of(newArguments));
    }

    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself (a crash switch) and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(kind + " plugin " + pid() + " still runs after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every request received so far, in order: {"method", "headers", "body"}. */
    public List<JsonNode> requests() {
        if (!Files.exists(requestLog)) {
            return List.of();
        }
        try {
            List<JsonNode> requests = new ArrayList<>();
            for (String line : Files.readAllLines(requestLog)) {
                if (!line.isBlank()) {
                    requests.add(JSON.readTree(line));
                }
            }
            return requests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests for one method ("VolumeDriver.Mount"). */
    public List<JsonNode> requests(String method) {
        return requests().stream().filter(r -> r.path("method").asText().equals(method)).toList();
    }

    /** SIGKILL, as a crash: the stale socket file stays, as it would. */
    public void kill() {
        process.destroyForcibly();
        awaitEnd();
    }

    /** SIGTERM, then SIGKILL if it lingers; the socket file is removed either way. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        awaitEnd();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitEnd() {
        try {
            process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(kind + " plugin " + pid() + " did not end", e);
        }
    }

    private String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
