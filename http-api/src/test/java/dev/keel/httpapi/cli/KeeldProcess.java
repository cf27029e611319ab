package dev.keel.httpapi.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** bin/keeld run as an operator runs it, on a data root, exec root and unix socket of the test's own. */
final class KeeldProcess {

    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));
    private static final long START_TIMEOUT_SECONDS = 90;
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private KeeldProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts keeld and waits until it answers on {@code socket}. {@code execRoot} must be short: container sockets
     * under it must fit a unix socket path (107 bytes).
     */
    static KeeldProcess start(Path dir, Path execRoot, Path socket) throws Exception {
        Process process = new ProcessBuilder(LAUNCHER.toString(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + socket)
                .redirectErrorStream(true).start();
        KeeldProcess keeld = new KeeldProcess(process);
        Thread reader = new Thread(keeld::readOutput, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        try {
            keeld.ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            keeld.kill();
            throw new IllegalStateException("keeld did not start:\n" + keeld.log(), e);
        }
        return keeld;
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                if (line.contains("keeld ready: ")) {
                    ready.complete(line);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready"));
    }

    String log() {
        return String.join("\n", output);
    }

    /** SIGTERM, as an operator stops it; true when it exited 0 in time. */
    boolean stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            kill();
            return false;
        }
        return process.exitValue() == 0;
    }

    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }
}
