package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.monitor.ContainerExit;
import dev.keel.os.monitor.HostProcess;
import dev.keel.os.monitor.JsonFileLog;
import dev.keel.os.monitor.LogEntry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A daemon (a separate JVM running {@link ContainerLauncher}) starts a container and is killed with SIGKILL; the
 * container lives on under its monitor, and a new runtime instance on the same directories adopts it.
 */
class ReadoptionIT {

    private static final String CGROUP_PARENT = "/keel-it-readopt";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path testRoot;
    private Path rootfs;
    private RuntimeSettings settings;
    private HostResidue before;
    private final List<Process> daemons = new ArrayList<>();
    private final List<RuncRuntime> runtimes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        testRoot = Files.createTempDirectory("keel-readopt-");
        rootfs = BusyboxRootfs.create(testRoot.resolve("rootfs"));
        settings = RuntimeSettingsTest.reference()
            .withRoots(testRoot.resolve("state"), testRoot.resolve("exec"))
            .withCgroupParent(CGROUP_PARENT);
        before = HostResidue.snapshot(testRoot, CGROUP_PARENT);
    }

    @AfterEach
    void tearDown() throws Exception {
        daemons.forEach(Process::destroyForcibly);
        RuncRuntime cleaner = newRuntime();
        for (RecoveredContainer c : cleaner.recover()) {
            cleaner.delete(c.id(), true);
        }
        runtimes.forEach(RuncRuntime::close);
        HostResidue.await(() -> HostResidue.snapshot(testRoot, CGROUP_PARENT).equals(before), WAIT);
        assertThat(HostResidue.snapshot(testRoot, CGROUP_PARENT)).isEqualTo(before);
        HostResidue.removeCgroupParent(CGROUP_PARENT);
        try (Stream<Path> paths = Files.walk(testRoot)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private RuncRuntime newRuntime() {
        RuncRuntime runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
        runtimes.add(runtime);
        return runtime;
    }

    /** Starts a daemon JVM that runs the container, waits for it to report the start, and kills it with SIGKILL. */
    private long[] startInDaemonAndKillIt(String id, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            ContainerLauncher.class.getName(),
            settings.stateRoot().toString(), settings.execRoot().toString(), CGROUP_PARENT, rootfs.toString(), id));
        cmd.addAll(List.of(command));
        Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        daemons.add(daemon);
        BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null && !line.startsWith("started ")) {
            seen.append(line).append('\n');
        }
        assertThat(line).as("daemon output: " + seen).startsWith("started ");
        String[] fields = line.split(" ");

        daemon.destroyForcibly();
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isEqualTo(137);
        return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])};
    }

    @Test
    void shouldReadoptARunningContainerAfterTheDaemonWasKilled() throws Exception {
        String id = "adopt-running";
        long[] pids = startInDaemonAndKillIt(id,
            "sh", "-c", "trap 'echo got-term; exit 3' TERM; echo up; while :; do sleep 0.1; done");
        assertThat(HostProcess.startTicks(pids[0])).as("container still runs").isPresent();
        assertThat(HostProcess.startTicks(pids[1])).as("monitor still runs").isPresent();

        RuncRuntime runtime = newRuntime();
        List<RecoveredContainer> found = runtime.recover();

        assertThat(found).containsExactly(
            new RecoveredContainer(id, ContainerStatus.RUNNING, pids[0], java.util.Optional.empty()));
        runtime.kill(id, "TERM");
        ContainerExit exit = runtime.awaitExit(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(exit.exitCode()).isEqualTo(3);
        assertThat(JsonFileLog.readAll(runtime.logFile(id))).extracting(LogEntry::text)
            .containsSubsequence("up\n", "got-term\n");
    }

    @Test
    void shouldReportTheExitCodeOfAContainerThatExitedWhileNoDaemonWatched() throws Exception {
        String id = "adopt-exited";
        Path go = rootfs.resolve("tmp/go");
        startInDaemonAndKillIt(id, "sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 42");

        Files.writeString(go, "go");
        assertThat(HostResidue.await(() -> Files.exists(settings.exitDir().resolve(id)), WAIT))
            .as("the monitor recorded the exit").isTrue();
        RuncRuntime runtime = newRuntime();
        List<RecoveredContainer> found = runtime.recover();

        assertThat(found).hasSize(1);
        assertThat(found.get(0).status()).isEqualTo(ContainerStatus.STOPPED);
        assertThat(found.get(0).exit()).hasValueSatisfying(e -> assertThat(e.exitCode()).isEqualTo(42));
        assertThat(runtime.awaitExit(id).get(WAIT.toSeconds(), TimeUnit.SECONDS).exitCode()).isEqualTo(42);
    }

    @Test
    void shouldReportAContainerWhoseMonitorDiedAsUnmonitored() throws Exception {
        String id = "adopt-orphan";
        long[] pids = startInDaemonAndKillIt(id, "sleep", "1000");
        ProcessHandle monitor = ProcessHandle.of(pids[1]).orElseThrow();
        monitor.destroyForcibly();
        monitor.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        List<RecoveredContainer> found = newRuntime().recover();

        assertThat(found).containsExactly(
            new RecoveredContainer(id, ContainerStatus.UNMONITORED, pids[0], java.util.Optional.empty()));
    }
}
