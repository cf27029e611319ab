package dev.keel.os.runtime.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** bin/keeld as an operator runs it, on the bench's own data root, exec root, unix socket and cgroup parent. */
final class KeeldProcess {

    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private KeeldProcess(Process process) {
        this.process = process;
    }

    /** {@code execRoot} must be short: container sockets under it must fit a unix socket path (107 bytes). */
    static KeeldProcess start(Path launcher, Path dataRoot, Path execRoot, Path socket, String cgroupParent)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(),
                "--data-root", dataRoot.toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dataRoot.resolveSibling("keeld.pid").toString(),
                "-H", "unix://" + socket)
                .redirectErrorStream(true);
        builder.environment().merge("KEELD_JAVA_OPTS", "-Dkeel.native.runtime.cgroup-parent=" + cgroupParent,
                (mine, bench) -> mine + " " + bench);
        KeeldProcess keeld = new KeeldProcess(builder.start());
        Thread reader = new Thread(keeld::readOutput, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        try {
            keeld.ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            keeld.process.destroyForcibly().waitFor();
            throw new IllegalStateException("keeld did not start:\n" + keeld.log(), e);
        }
        return keeld;
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                if (line.contains("keeld ready: ")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready"));
    }

    /** The last 100 lines keeld printed. */
    String log() {
        List<String> lines = List.copyOf(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 100), lines.size()));
    }

    /** SIGTERM, as an operator stops it, then SIGKILL if it has not exited in time. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
