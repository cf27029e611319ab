package dev.keel.httpapi.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import dev.keel.netplane.IsolatedNetplane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * bin/keeld on a data root, exec root, socket, pidfile and cgroup parent of the test's own, which can be killed
 * (SIGKILL, as a crash) and started again on the same roots, as an operator restarts a daemon.
 */
final class KeeldProcess {

    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));
    private static final long START_TIMEOUT_SECONDS = 90;
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final Path dataRoot;
    private final Path execRoot;
    private final Path socket;
    private final Path pidfile;
    private final String cgroupParent;
    private final IsolatedNetplane netplane;
    /** Every start's output, so a failure shows what each run said. */
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** Daemon flags of the test's own ({@code -D key=value}), for every start. */
    private final List<String> extraFlags = new CopyOnWriteArrayList<>();
    private Process process;

    /** {@code execRoot} must be short: container sockets under it must fit a unix socket path (107 bytes). */
    KeeldProcess(Path dir, Path execRoot, String cgroupParent) {
        this.dataRoot = dir.resolve("data");
        this.execRoot = execRoot;
        this.socket = dir.resolve("keel.sock");
        this.pidfile = dir.resolve("keeld.pid");
        this.cgroupParent = cgroupParent;
        this.netplane = IsolatedNetplane.random(execRoot.resolve("netns"));
    }

    Path dataRoot() {
        return dataRoot;
    }

    Path execRoot() {
        return execRoot;
    }

    Path socket() {
        return socket;
    }

    /** Adds daemon flags ({@code "-D", "keel.plugin-host.retry-limit=2s"}) to the following starts. */
    void addFlags(String... flags) {
        extraFlags.addAll(List.of(flags));
    }

    /** Takes flags added by {@link #addFlags} away from the following starts ({@code "--authorization-plugin=x"}). */
    void removeFlags(String... flags) {
        extraFlags.removeAll(List.of(flags));
    }

    /** Starts keeld and waits until it answers on its socket. */
    void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(),
                "--data-root", dataRoot.toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", pidfile.toString(),
                "-H", "unix://" + socket)
                .redirectErrorStream(true);
        builder.command().addAll(netplane.daemonFlags());
        builder.command().addAll(extraFlags);
        builder.environment().merge("KEELD_JAVA_OPTS", "-Dkeel.native.runtime.cgroup-parent=" + cgroupParent,
                (inherited, own) -> inherited + " " + own);
        output.add("--- keeld start");
        process = builder.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Process started = process;
        Thread reader = new Thread(() -> readOutput(started, ready), "keeld-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            kill();
            throw new IllegalStateException("keeld did not start:\n" + log(), e);
        }
    }

    private void readOutput(Process started, CompletableFuture<String> ready) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
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

    /** The JVM's pid as keeld wrote it to its pidfile. */
    long pidFromPidfile() throws IOException {
        return Long.parseLong(Files.readString(pidfile, StandardCharsets.UTF_8).strip());
    }

    /** SIGKILL to the pid in the pidfile, as a crash; answers once that process is gone. */
    void crash() throws Exception {
        long pid = pidFromPidfile();
        Optional<ProcessHandle> jvm = ProcessHandle.of(pid);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
        String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -9 " + pid + " failed: " + said);
        }
        if (jvm.isPresent()) {
            jvm.get().onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

    /** Ends keeld if it runs; its monitors and containers are not its descendants and stay. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Removes the bridge, rules and sandboxes keeld leaves for live restore; call once it and its containers are gone. */
    void removeNetworkLeftovers() {
        netplane.remove();
    }

    /** The tag that names this keeld's bridges, chains and sandboxes, for tests that look for them on the host. */
    IsolatedNetplane netplane() {
        return netplane;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    String log() {
        return String.join("\n", output);
    }
}
