package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A keeld of a suite's own for the docker CLIs: a temp directory (data root, socket, busybox tarball, CLI config
 * directories), a short exec root and a cgroup parent, apart from every other keeld on the host. {@link #close}
 * takes all of it off the host again, attempting every step even when an earlier one fails.
 */
final class CliHost implements AutoCloseable {

    /** Debian's 20.10 first, then the current 28.x: each suite runs against those installed. */
    private static final List<Path> BINARIES = List.of(Path.of("/usr/bin/docker"), Path.of("/usr/local/bin/docker"));
    private static final long PROCESS_EXIT_SECONDS = 10;

    /** Something a suite does while {@link #close} runs; may throw, as clean-up code does. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final Path dir;
    private final Path execRoot;
    private final String cgroupParent;
    private final KeeldProcess keeld;
    private final Path busyboxTar;

    private CliHost(Path dir, Path execRoot, String cgroupParent, KeeldProcess keeld, Path busyboxTar) {
        this.dir = dir;
        this.execRoot = execRoot;
        this.cgroupParent = cgroupParent;
        this.keeld = keeld;
        this.busyboxTar = busyboxTar;
    }

    /** {@link #create} and {@link #startKeeld} in one; what it made is removed again when keeld does not start. */
    static CliHost start(String name, String cgroupParent, String... keeldFlags) throws Exception {
        CliHost host = create(name, cgroupParent);
        try {
            host.startKeeld(keeldFlags);
        } catch (Exception e) {
            Failures failures = new Failures();
            failures.attempt(host::close);
            failures.suppressInto(e);
            throw e;
        }
        return host;
    }

    /**
     * The roots and the busybox tarball, keeld not yet started, for a suite that puts something under them first.
     * {@code name} is short and of the suite's own: the exec root is {@code /tmp/k<name><pid>}, as container sockets
     * under it must fit a unix socket path, and suites of one JVM share the pid.
     */
    static CliHost create(String name, String cgroupParent) throws Exception {
        Path dir = Files.createTempDirectory("keel-" + name + "-it");
        Path busyboxTar;
        Path execRoot;
        try {
            busyboxTar = BusyboxImage.tarball(dir);
            execRoot = Files.createDirectory(Path.of("/tmp", "k" + name + ProcessHandle.current().pid()));
        } catch (Exception e) {
            Failures failures = new Failures();
            failures.attempt(() -> ScratchDirectory.remove(dir));
            failures.suppressInto(e);
            throw e;
        }
        return new CliHost(dir, execRoot, cgroupParent, new KeeldProcess(dir, execRoot, cgroupParent), busyboxTar);
    }

    /** Starts keeld with {@code keeldFlags} added to this and every following start. */
    void startKeeld(String... keeldFlags) throws Exception {
        keeld.addFlags(keeldFlags);
        keeld.start();
    }

    /** Every installed docker CLI, each with a config directory of its own under {@link #dir}. */
    Stream<DockerCli> clis() {
        return BINARIES.stream().filter(Files::isExecutable)
                .map(binary -> new DockerCli(binary, keeld.socket().toString(), configDir(binary)));
    }

    /** The first installed CLI, for set-up and clean-up. */
    DockerCli firstCli() {
        return clis().findFirst().orElseThrow();
    }

    /** The most recent installed CLI. */
    DockerCli newestCli() {
        return clis().reduce((older, newer) -> newer).orElseThrow();
    }

    private Path configDir(Path binary) {
        try {
            return Files.createDirectories(dir.resolve("config" + binary.toString().replace('/', '-')));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    KeeldProcess keeld() {
        return keeld;
    }

    /** The tarball of the host's busybox, as {@code docker import} takes it. */
    Path busyboxTar() {
        return busyboxTar;
    }

    /** The suite's directory for files of its own; removed by {@link #close}. */
    Path dir() {
        return dir;
    }

    Path execRoot() {
        return execRoot;
    }

    /** What keeld on these roots and cgroup parent puts on the host now. */
    HostFootprint footprint() {
        return HostFootprint.take(List.of(dir, execRoot), cgroupParent);
    }

    /** Removes every container keeld knows, with its anonymous volumes. */
    void removeEveryContainer() throws Exception {
        DockerCli cli = firstCli();
        for (String container : cli.run("ps", "-aq").lines()) {
            cli.run("rm", "-f", "-v", container);
        }
    }

    @Override
    public void close() throws Exception {
        close(() -> {
        });
    }

    /**
     * Removes every container and stops keeld (killing it when it does not stop), then runs {@code whileKeeldIsDown}
     * to look at what keeld left or end processes of the suite's own, then ends every process that names the roots
     * or lives under the cgroup parent, removes keeld's network leftovers, both roots and the cgroup parent in every
     * controller. Each step runs even when an earlier one failed; the first failure is thrown, the others suppressed.
     */
    void close(Step whileKeeldIsDown) throws Exception {
        Failures failures = new Failures();
        if (keeld.isAlive()) {
            failures.attempt(this::removeEveryContainer);
            failures.attempt(keeld::stop);
        }
        failures.attempt(keeld::kill);
        failures.attempt(whileKeeldIsDown);
        failures.attempt(this::endLeftoverProcesses);
        failures.attempt(keeld::removeNetworkLeftovers);
        failures.attempt(() -> ScratchDirectory.remove(execRoot));
        failures.attempt(() -> ScratchDirectory.remove(dir));
        failures.attempt(() -> HostFootprint.removeCgroups(cgroupParent));
        failures.throwFirst();
    }

    /** Monitors and containers keeld started that outlived it: they name the roots or live under the cgroup parent. */
    private void endLeftoverProcesses() {
        end(footprint().pids());
    }

    /** Kills the processes of {@code pids} that still run and waits a while for each to be gone. */
    static void end(Collection<Long> pids) {
        List<ProcessHandle> processes = pids.stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList();
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : processes) {
            process.onExit().completeOnTimeout(process, PROCESS_EXIT_SECONDS, TimeUnit.SECONDS).join();
        }
    }

    /** The first failure of the clean-up steps, with the later ones suppressed into it. */
    private static final class Failures {

        private Throwable first;

        void attempt(Step step) {
            try {
                step.run();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }

        /** Adds the failures to {@code cause}, the failure that made the clean-up necessary. */
        void suppressInto(Exception cause) {
            if (first != null) {
                cause.addSuppressed(first);
            }
        }

        void throwFirst() throws Exception {
            if (first instanceof Exception exception) {
                throw exception;
            }
            if (first instanceof Error error) {
                throw error;
            }
        }
    }
}
