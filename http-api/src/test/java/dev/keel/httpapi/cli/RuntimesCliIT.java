package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.Conditions.eventually;
import static dev.keel.httpapi.cli.TestObjects.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-container OCI runtimes ({@code docker run --runtime}, keeld's {@code --add-runtime}) and {@code docker update}
 * of a live container's cgroups, through the real docker CLIs. The added runtime {@code traced} is runc behind a
 * script that appends each call's arguments to a trace file, so the trace shows which containers it ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimesCliIT {

    private static final String CGROUP_PARENT = "/keel-rt";
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final Path CRUN = Path.of("/usr/bin/crun");
    /** cgroup v1 with swap accounting, where containers get Docker's swap limits. */
    private static final boolean HOST_LIMITS_SWAP =
            Files.exists(CGROUP_ROOT.resolve("memory/memory.memsw.limit_in_bytes"));

    private CliHost host;
    private Path trace;
    private String image;
    private final TestObjects made = new TestObjects();

    @BeforeAll
    void startKeeld() throws Exception {
        host = CliHost.create("rt", CGROUP_PARENT);
        trace = host.dir().resolve("trace");
        Path traced = host.dir().resolve("traced-runc");
        Files.writeString(traced, "#!/bin/sh\necho \"$@\" >> " + trace + "\nexec /usr/sbin/runc \"$@\"\n");
        assertThat(traced.toFile().setExecutable(true)).isTrue();
        // A second name for the same script, with global options from daemon.json's runtimeArgs.
        Path daemonJson = host.dir().resolve("daemon.json");
        Files.writeString(daemonJson, "{\"runtimes\": {\"argued\": {\"path\": \"" + traced
                + "\", \"runtimeArgs\": [\"--log-format\", \"text\"]}}}");
        host.startKeeld("--add-runtime", "traced=" + traced, "--config-file", daemonJson.toString());
        image = "keel-test/runtimes:1";
        host.firstCli().ok("import", "--change", "CMD [\"sh\"]", host.busyboxTar().toString(), image);
    }

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        made.removeWith(host.firstCli());
    }

    @AfterAll
    void stopKeeld() throws Exception {
        if (host != null) {
            host.firstCli().run("rmi", "-f", image);
            host.close();
        }
    }

    Stream<DockerCli> clis() {
        return host.clis();
    }

    private List<String> traceOf(String id) throws IOException {
        if (!Files.exists(trace)) {
            return List.of();
        }
        return Files.readAllLines(trace).stream().filter(line -> line.contains(id)).toList();
    }

    private static String inspect(DockerCli cli, String format, String container) throws Exception {
        return cli.ok("inspect", "--format", format, container);
    }

    private static String cgroupFile(String controller, String id, String file) throws IOException {
        return Files.readString(CGROUP_ROOT.resolve(controller).resolve(CGROUP_PARENT.substring(1)).resolve(id)
                .resolve(file)).strip();
    }

    // --- runtimes -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRunAContainerOnTheRuntimeItAsksForAndNoOtherOnIt(DockerCli cli) throws Exception {
        String tracedName = made.container(name(cli, "traced"));
        String plainName = made.container(name(cli, "plain"));

        DockerCli.Result run = cli.run("run", "--runtime", "traced", "--name", tracedName, image,
                "sh", "-c", "echo on-traced; exit 3");
        cli.ok("run", "--name", plainName, image, "true");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("on-traced\n");
        String tracedId = inspect(cli, "{{.Id}}", tracedName);
        String plainId = inspect(cli, "{{.Id}}", plainName);
        assertThat(inspect(cli, "{{.HostConfig.Runtime}}", tracedName)).isEqualTo("traced");
        assertThat(inspect(cli, "{{.HostConfig.Runtime}}", plainName)).isEqualTo("runc");
        eventually("traced's run and delete of " + tracedId, () -> {
            List<String> calls = traceOf(tracedId);
            return calls.stream().anyMatch(c -> c.contains("run --detach"))
                    && calls.stream().anyMatch(c -> c.contains("delete"));
        });
        assertThat(traceOf(plainId)).isEmpty();
    }

    @Test
    void shouldGiveARuntimeItsArgumentsOnEveryCall() throws Exception {
        DockerCli cli = host.newestCli();
        String container = made.container("argued");

        String id = cli.ok("run", "-d", "--runtime", "argued", "--name", container, image, "echo", "argued");
        assertThat(cli.ok("wait", container)).isEqualTo("0");
        assertThat(cli.ok("logs", container)).isEqualTo("argued");
        cli.ok("rm", container);

        assertThat(traceOf(id)).anyMatch(call -> call.contains("--log-format text run --detach"));
        eventually("argued's delete of " + id,
                () -> traceOf(id).stream().anyMatch(call -> call.contains("--log-format text delete")));
    }

    @Test
    void shouldStopAContainerThroughItsRuntimeAfterKeeldRestarted() throws Exception {
        DockerCli cli = host.newestCli();
        String container = made.container("restarted");
        String id = cli.ok("run", "-d", "--runtime", "traced", "--name", container, image, "sleep", "1000");

        assertThat(host.keeld().stop()).as("keeld exits 0 on SIGTERM:\n%s", host.keeld().log()).isTrue();
        host.keeld().start();

        assertThat(inspect(cli, "{{.State.Status}}", container)).isEqualTo("running");
        assertThat(cli.ok("stop", "-t", "1", container)).isEqualTo(container);
        assertThat(traceOf(id)).anyMatch(call -> call.contains("kill " + id));
        assertThat(inspect(cli, "{{.State.Status}}", container)).isEqualTo("exited");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRefuseAnUnknownRuntimeAndCreateNothing(DockerCli cli) throws Exception {
        String container = made.container(name(cli, "nosuch"));

        DockerCli.Result run = cli.run("run", "--runtime", "nosuch", "--name", container, image, "true");

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(run.err()).contains("Unknown runtime specified nosuch");
        assertThat(cli.ok("ps", "-a", "--filter", "name=" + container, "--format", "{{.Names}}")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldListTheRuntimesAndTheDefaultInInfo(DockerCli cli) throws Exception {
        assertThat(cli.ok("info", "--format", "{{.DefaultRuntime}}")).isEqualTo("runc");
        assertThat(cli.ok("info", "--format", "{{range $name, $r := .Runtimes}}{{$name}}={{$r.Path}} {{end}}"))
                .contains("runc=/usr/sbin/runc").contains("traced=" + host.dir().resolve("traced-runc"));
    }

    @Test
    void shouldRunOnCrunOrRefuseItForThisHostsCgroups() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CRUN), "crun is installed");
        DockerCli cli = host.newestCli();
        String container = made.container("on-crun");
        Path unified = CGROUP_ROOT.resolve("unified/cgroup.controllers");
        boolean hybridWithControllers = Files.exists(unified) && !Files.readString(unified).isBlank();

        DockerCli.Result run = cli.run("run", "--runtime", "crun", "--name", container, image, "echo", "on-crun");

        if (hybridWithControllers) {
            assertThat(run.exitCode()).as(run.toString()).isNotZero();
            assertThat(run.err()).contains("crun cannot run containers on this host").contains("cgroup");
            assertThat(cli.ok("ps", "-a", "--filter", "name=" + container, "--format", "{{.Names}}")).isEmpty();
        } else {
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).isEqualTo("on-crun\n");
            assertThat(inspect(cli, "{{.HostConfig.Runtime}}", container)).isEqualTo("crun");
        }
        assertThat(cli.ok("info", "--format", "{{range $name, $r := .Runtimes}}{{$name}} {{end}}")).contains("crun");
    }

    // --- update ---------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldApplyAnUpdateToARunningContainersCgroups(DockerCli cli) throws Exception {
        String container = made.container(name(cli, "updated"));
        String id = cli.ok("run", "-d", "--name", container, image, "sleep", "1000");

        cli.ok("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "50",
                "--cpu-shares", "512", container);

        assertThat(cgroupFile("memory", id, "memory.limit_in_bytes")).isEqualTo("67108864");
        if (HOST_LIMITS_SWAP) {
            assertThat(cgroupFile("memory", id, "memory.memsw.limit_in_bytes")).isEqualTo("134217728");
        }
        assertThat(cgroupFile("cpu", id, "cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(cgroupFile("cpu", id, "cpu.shares")).isEqualTo("512");
        assertThat(cgroupFile("pids", id, "pids.max")).isEqualTo("50");
        assertThat(inspect(cli, "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} "
                + "{{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}", container))
                .isEqualTo("67108864 134217728 500000000 50 512");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldApplyAnUpdateToAPausedContainer(DockerCli cli) throws Exception {
        String container = made.container(name(cli, "paused"));
        String id = cli.ok("run", "-d", "--name", container, image, "sleep", "1000");
        cli.ok("pause", container);

        cli.ok("update", "--memory", "96m", "--pids-limit", "40", container);

        assertThat(cgroupFile("memory", id, "memory.limit_in_bytes")).isEqualTo(Long.toString(96L << 20));
        if (HOST_LIMITS_SWAP) {
            // Docker's default: as much swap as memory.
            assertThat(cgroupFile("memory", id, "memory.memsw.limit_in_bytes")).isEqualTo(Long.toString(192L << 20));
        }
        assertThat(cgroupFile("pids", id, "pids.max")).isEqualTo("40");
        assertThat(inspect(cli, "{{.State.Status}} {{.HostConfig.Memory}}", container))
                .isEqualTo("paused " + (96L << 20));
        cli.ok("unpause", container);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRefuseAnInvalidUpdateAndChangeNothing(DockerCli cli) throws Exception {
        String container = made.container(name(cli, "invalid"));
        String id = cli.ok("run", "-d", "--cpus", "0.5", "--name", container, image, "sleep", "1000");

        DockerCli.Result update = cli.run("update", "--cpus", "-1", "--pids-limit", "30", container);

        assertThat(update.exitCode()).as(update.toString()).isNotZero();
        assertThat(update.err()).contains("Range of CPUs");
        assertThat(cgroupFile("cpu", id, "cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(cgroupFile("pids", id, "pids.max")).isEqualTo("max");
        assertThat(inspect(cli, "{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", container))
                .isIn("500000000 0", "500000000 <nil>");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldAnswerTheKernelsRefusalAsTheUsersErrorAndRecordNothing(DockerCli cli) throws Exception {
        // Without swap the kernel cannot make room under a lower limit, and refuses it.
        Assumptions.assumeTrue(Files.readAllLines(Path.of("/proc/swaps")).size() == 1, "a host without swap");
        String container = made.container(name(cli, "hungry"));
        // 20 MB in its /dev/shm (tmpfs, charged to its cgroup), so a 6 MiB limit is below what the container uses.
        String id = cli.ok("run", "-d", "--name", container, image, "sh", "-c",
                "head -c 20000000 /dev/zero > /dev/shm/fill; echo held; sleep 1000");
        eventually(container + " holding its memory", () -> cli.ok("logs", container).contains("held"));

        DockerCli.Result update = cli.run("update", "--memory", "6m", container);

        assertThat(update.exitCode()).as(update.toString()).isNotZero();
        assertThat(update.err()).contains("Cannot update container " + id).contains("unable to set memory limit");
        assertThat(inspect(cli, "{{.HostConfig.Memory}}", container)).isEqualTo("0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldApplyTheUpdateOfAStoppedContainerAtItsNextStart(DockerCli cli) throws Exception {
        String container = made.container(name(cli, "later"));
        String id = cli.ok("create", "--name", container, image, "sleep", "1000");

        cli.ok("update", "--memory", "48m", "--pids-limit", "20", container);
        cli.ok("start", container);

        assertThat(cgroupFile("memory", id, "memory.limit_in_bytes")).isEqualTo(Long.toString(48L << 20));
        if (HOST_LIMITS_SWAP) {
            assertThat(cgroupFile("memory", id, "memory.memsw.limit_in_bytes")).isEqualTo(Long.toString(96L << 20));
        }
        assertThat(cgroupFile("pids", id, "pids.max")).isEqualTo("20");
    }
}
