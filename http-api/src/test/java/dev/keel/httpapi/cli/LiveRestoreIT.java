package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.Conditions.eventually;
import static dev.keel.httpapi.cli.DockerCli.timestamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live restore (issue 3): keeld killed with SIGKILL while ten containers run, one of which exits while keeld is down;
 * after the restart the nine still run and are re-adopted (logs continue, stop and wait work), the tenth is reported
 * with its real exit code, and once all is removed the host holds nothing more than before.
 */
class LiveRestoreIT {

    private static final Duration CONDITION_TIMEOUT = Duration.ofSeconds(30);
    private static final String CGROUP_PARENT = "/keel-lr";
    private static final String IMAGE = "keel-test/live-restore:1";
    private static final String COUNTER = "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done";
    private static final String EXIT_ON_SIGNAL_FILE = "while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 7";
    private static final Pattern LINE_NUMBER = Pattern.compile("^line (\\d+)$", Pattern.MULTILINE);

    private CliHost host;
    private KeeldProcess keeld;
    private DockerCli cli;
    private HostFootprint before;
    /** Every pid seen of our monitors and containers, so that a failed run can still end them. */
    private final Set<Long> seenPids = new LinkedHashSet<>();

    @BeforeEach
    void startKeeld() throws Exception {
        host = CliHost.create("lr", CGROUP_PARENT);
        keeld = host.keeld();
        before = host.footprint();
        cli = host.newestCli();
        host.startKeeld();
        cli.ok("import", "--change", "CMD [\"sh\"]", host.busyboxTar().toString(), IMAGE);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (host == null) {
            return;
        }
        host.close(() -> CliHost.end(seenPids));
    }

    @Test
    void shouldReadoptRunningContainersAndReportTheOneThatExitedWhileKeeldWasDown() throws Exception {
        Instant beforeRuns = Instant.now();
        List<String> counters = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            counters.add(cli.ok("run", "-d", "--name", "counter" + i, IMAGE, "sh", "-c", COUNTER));
        }
        String quitter = cli.ok("run", "-d", "--name", "quitter", IMAGE, "sh", "-c", EXIT_ON_SIGNAL_FILE);
        List<String> all = new ArrayList<>(counters);
        all.add(quitter);
        Map<String, Long> containerPids = new LinkedHashMap<>();
        for (String id : all) {
            long pid = Long.parseLong(cli.ok("inspect", "--format", "{{.State.Pid}}", id));
            assertThat(pid).as("pid of %s", id).isPositive();
            containerPids.put(id, pid);
        }
        seenPids.addAll(containerPids.values());
        HostFootprint running = host.footprint();
        seenPids.addAll(running.pids());
        // The final comparison sees what the containers put on the host, so it would see what they leave.
        for (String id : all) {
            assertThat(running.mounts()).as("mounts of %s", id).anyMatch(m -> m.contains(id));
            assertThat(running.cgroups()).as("cgroups of %s", id).anyMatch(c -> c.endsWith(CGROUP_PARENT + "/" + id));
            assertThat(running.processes()).as("monitor of %s", id).anyMatch(p -> p.contains("keel-monitor") && p.contains(id));
        }
        String watched = counters.get(0);
        eventually("a first line in " + watched + "'s log", () -> highestLine(watched).isPresent());
        long highestBeforeCrash = highestLine(watched).getAsLong();

        long keeldPid = keeld.pidFromPidfile();
        keeld.crash();

        assertThat(ProcessHandle.of(keeldPid)).as("keeld after kill -9").isEmpty();
        containerPids.forEach((id, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .as("process %d of container %s while keeld is down", pid, id).contains(true));
        HostFootprint keeldDown = host.footprint();
        for (String id : all) {
            assertThat(keeldDown.processes()).as("monitor of %s while keeld is down", id)
                    .anyMatch(p -> p.contains("keel-monitor") && p.contains(id));
        }

        Files.writeString(keeld.dataRoot().resolve("containers").resolve(quitter).resolve("merged/tmp/go"), "");
        long quitterPid = containerPids.get(quitter);
        ProcessHandle.of(quitterPid).ifPresent(p -> p.onExit().orTimeout(CONDITION_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join());

        keeld.start();

        assertThat(cli.ok("ps", "--no-trunc", "--format", "{{.ID}}").lines())
                .as("running after the restart").containsExactlyInAnyOrderElementsOf(counters);
        for (String id : counters) {
            assertThat(cli.ok("inspect", "--format", "{{.State.Pid}}", id)).as("re-adopted, not restarted: %s", id)
                    .isEqualTo(containerPids.get(id).toString());
        }
        assertThat(cli.ok("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", quitter))
                .isEqualTo("exited 7");
        eventually("a line after line " + highestBeforeCrash + " in " + watched + "'s log",
                () -> highestLine(watched).orElse(-1) > highestBeforeCrash);

        String stopped = counters.get(1);
        CompletableFuture<DockerCli.Result> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return cli.run("wait", stopped);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(cli.ok("stop", "-t", "1", stopped)).isEqualTo(stopped);
        DockerCli.Result waited = waiting.get(CONDITION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(waited.ok()).as(waited.toString()).isTrue();
        assertThat(waited.out().strip()).isIn("137", "143");
        assertThat(cli.ok("wait", stopped)).isEqualTo(waited.out().strip());

        assertThat(cli.ok("events", "--since", timestamp(beforeRuns), "--until", timestamp(Instant.now()),
                "--filter", "container=" + quitter, "--filter", "event=die",
                "--format", "{{.Action}} {{index .Actor.Attributes \"exitCode\"}}").lines())
                .containsExactly("die 7");

        for (String id : all) {
            assertThat(cli.ok("rm", "-f", id)).isEqualTo(id);
        }
        assertThat(keeld.stop()).as("keeld exits 0 on SIGTERM:\n%s", keeld.log()).isTrue();
        eventually("the host as before the test", () -> host.footprint().addedSince(before).isEmpty());
    }

    /** The highest {@code line N} in the container's log so far. */
    private OptionalLong highestLine(String container) throws Exception {
        Matcher lines = LINE_NUMBER.matcher(cli.ok("logs", container));
        OptionalLong highest = OptionalLong.empty();
        while (lines.find()) {
            long n = Long.parseLong(lines.group(1));
            if (highest.isEmpty() || n > highest.getAsLong()) {
                highest = OptionalLong.of(n);
            }
        }
        return highest;
    }

}
