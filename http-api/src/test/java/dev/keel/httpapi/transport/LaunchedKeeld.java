package dev.keel.httpapi.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import dev.keel.netplane.IsolatedNetplane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * bin/keeld as an operator runs it, on a data root and pid file under {@code dir} and an exec root of its own, with
 * the flags a test adds; its merged output is kept. {@link #ready} completes on "keeld ready", {@link #ended} at the
 * end of its output.
 */
record LaunchedKeeld(Process process, List<String> output, CompletableFuture<String> ready,
                     CompletableFuture<Void> ended, IsolatedNetplane netplane) {

    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));
    static final long START_TIMEOUT_SECONDS = 90;

    static LaunchedKeeld launch(Path dir, Path execRoot, String... flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString()));
        IsolatedNetplane netplane = IsolatedNetplane.random(execRoot.resolve("netns"));
        command.addAll(netplane.daemonFlags());
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        LaunchedKeeld keeld = new LaunchedKeeld(process, new CopyOnWriteArrayList<>(), new CompletableFuture<>(),
                new CompletableFuture<>(), netplane);
        Thread reader = new Thread(keeld::readOutput, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        return keeld;
    }

    /** Launches keeld and waits until it is ready. */
    static LaunchedKeeld start(Path dir, Path execRoot, String... flags) throws Exception {
        LaunchedKeeld keeld = launch(dir, execRoot, flags);
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
        ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready:\n" + log()));
        ended.complete(null);
    }

    String log() {
        return String.join("\n", output);
    }

    long pid() {
        return process.pid();
    }

    /** The threads of the JVM (bin/keeld execs it, so its pid is the process's). */
    int threads() throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .mapToInt(line -> Integer.parseInt(line.substring("Threads:".length()).strip()))
                .findFirst().orElseThrow();
    }

    /** Kills keeld and removes the bridge, rules and sandboxes it leaves for live restore. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
        netplane.remove();
    }
}
