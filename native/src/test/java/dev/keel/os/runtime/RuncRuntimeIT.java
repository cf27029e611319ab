package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.cgroup.CgroupTree;
import dev.keel.os.monitor.ContainerMonitor;
import dev.keel.os.monitor.ContainerExit;
import dev.keel.os.monitor.HostProcess;
import dev.keel.os.monitor.JsonFileLog;
import dev.keel.os.monitor.LogEntry;
import dev.keel.os.monitor.LogStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real runc and keel-monitor, as root, on a busybox root filesystem. */
class RuncRuntimeIT {

    private static final String CGROUP_PARENT = "/keel-it";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Path testRoot;
    private static Path rootfs;
    private static Path trace;
    private static RuntimeSettings settings;
    private static RuncRuntime runtime;
    private static HostResidue before;
    private static int counter;

    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        testRoot = Files.createTempDirectory("keel-rt-");
        rootfs = BusyboxRootfs.create(testRoot.resolve("rootfs"));
        // An operator's runtime: runc behind a script that records each call's arguments.
        trace = testRoot.resolve("trace");
        Path traced = testRoot.resolve("traced-runc");
        Files.writeString(traced, "#!/bin/sh\necho \"$@\" >> " + trace + "\nexec /usr/sbin/runc \"$@\"\n");
        traced.toFile().setExecutable(true);
        settings = RuntimeSettingsTest.reference()
            .withRoots(testRoot.resolve("state"), testRoot.resolve("exec"))
            .withCgroupParent(CGROUP_PARENT)
            .withRuntime("traced", traced);
        before = HostResidue.snapshot(testRoot, CGROUP_PARENT);
        runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
    }

    @AfterEach
    void removeContainers() {
        List<String> failures = new ArrayList<>();
        for (String id : created) {
            try {
                runtime.delete(id, true);
            } catch (RuntimeFailure e) {
                if (e.reason() != RuntimeFailure.Reason.NO_SUCH_CONTAINER) {
                    failures.add(id + ": " + e.getMessage());
                }
            }
        }
        HostResidue.await(() -> HostResidue.snapshot(testRoot, CGROUP_PARENT).equals(before), WAIT);
        assertThat(HostResidue.snapshot(testRoot, CGROUP_PARENT)).isEqualTo(before);
        assertThat(failures).as("deletes that failed").isEmpty();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (runtime != null) {
            runtime.close();
        }
        HostResidue.removeCgroupParent(CGROUP_PARENT);
        try (Stream<Path> paths = Files.walk(testRoot)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private ContainerSpec spec(String... args) {
        String id = "it" + (++counter) + "-" + ProcessHandle.current().pid();
        created.add(id);
        return ContainerSpec.of(id, rootfs, List.of(args));
    }

    private CreatedContainer run(ContainerSpec spec) {
        return runtime.run(spec);
    }

    private static ContainerExit exitOf(String id) throws Exception {
        return runtime.awaitExit(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String stdout(String id) {
        StringBuilder text = new StringBuilder();
        JsonFileLog.readAll(runtime.logFile(id)).stream()
            .filter(e -> e.stream() == LogStream.STDOUT).forEach(e -> text.append(e.text()));
        return text.toString();
    }

    /** Waits until the container's stdout shows {@code text} (the process got that far). */
    private static void awaitOutput(String id, String text) {
        assertThat(HostResidue.await(() -> stdout(id).contains(text), WAIT)).as("output " + text).isTrue();
    }

    @Test
    void shouldExitZeroWhenTrueRuns() throws Exception {
        ContainerSpec spec = spec("true");
        CreatedContainer container = run(spec);

        assertThat(container.pid()).isPositive();
        assertThat(exitOf(spec.id()).exitCode()).isZero();
    }

    @Test
    void shouldReportTheShellsExitCode() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "exit 7");
        run(spec);

        ContainerExit exit = exitOf(spec.id());

        assertThat(exit.exitCode()).isEqualTo(7);
        assertThat(exit.oomKilled()).isFalse();
        assertThat(exit.exitedAt()).isAfter(java.time.Instant.now().minusSeconds(60));
        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.STOPPED);
    }

    @Test
    void shouldLogEachLineWithItsStream() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "echo hello; echo oops >&2; printf 'no newline'");
        run(spec);
        exitOf(spec.id());

        List<LogEntry> log = JsonFileLog.readAll(runtime.logFile(spec.id()));

        assertThat(log).extracting(LogEntry::stream, LogEntry::text).contains(
            tuple(LogStream.STDOUT, "hello\n"),
            tuple(LogStream.STDERR, "oops\n"),
            tuple(LogStream.STDOUT, "no newline"));
    }

    @Test
    void shouldWriteDockersJsonFileRecordsOnDisk() throws Exception {
        // The sleep makes "part" a read of its own, so a record without a newline (a partial) shows on disk.
        ContainerSpec spec = spec("sh", "-c", "echo hello; echo '<\"x\"> &' >&2; printf part; sleep 0.3; echo rest");
        run(spec);
        exitOf(spec.id());

        Path file = runtime.logFile(spec.id());
        List<String> lines = Files.readAllLines(file);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            records.add(json.readTree(line));
        }

        assertThat(file.getFileName()).hasToString(spec.id() + "-json.log");
        // The two streams are two pipes: only each one's own order is certain.
        assertThat(records).filteredOn(r -> r.path("stream").asText().equals("stdout"))
            .extracting(r -> r.path("log").asText()).containsExactly("hello\n", "part", "rest\n");
        assertThat(records).filteredOn(r -> r.path("stream").asText().equals("stderr"))
            .extracting(r -> r.path("log").asText()).containsExactly("<\"x\"> &\n");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.size()).as("fields of %s", r).isEqualTo(3);
            assertThat(r.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z");
        });
        assertThat(lines).as("Docker's HTML-safe escapes").anySatisfy(line ->
            assertThat(line).contains("\\u003c\\\"x\\\"\\u003e \\u0026\\n"));
    }

    @Test
    void shouldReport143WhenTheContainerEndsOnSigterm() throws Exception {
        // PID 1 ignores signals it has no handler for; a process that handles TERM by exiting reports 128+15.
        ContainerSpec spec = spec("sh", "-c", "trap 'exit 143' TERM; echo ready; while :; do sleep 0.1; done");
        run(spec);
        awaitOutput(spec.id(), "ready");

        runtime.kill(spec.id(), "TERM");

        assertThat(exitOf(spec.id()).exitCode()).isEqualTo(143);
    }

    @Test
    void shouldReport137WhenKilled() throws Exception {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);

        runtime.kill(spec.id(), "SIGKILL");

        assertThat(exitOf(spec.id()).exitCode()).isEqualTo(137);
    }

    @Test
    void shouldEscalateStopToSigkillWhenTermIsIgnored() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done");
        run(spec);
        awaitOutput(spec.id(), "ready");
        long started = System.nanoTime();

        ContainerExit exit = runtime.stop(spec.id(), "TERM", Duration.ofSeconds(1)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(exit.exitCode()).isEqualTo(137);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldFreezeAndThawOnPauseAndUnpause() throws Exception {
        ContainerSpec spec = spec("sleep", "1000");
        CreatedContainer container = run(spec);
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        String cgroup = CGROUP_PARENT + "/" + spec.id();
        Assumptions.assumeTrue(cgroups.layout() != CgroupTree.Layout.UNIFIED, "freezer.state is a v1 file");

        runtime.pause(spec.id());

        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.PAUSED);
        assertThat(cgroups.read("freezer", cgroup, "freezer.state")).contains("FROZEN");
        assertThat(processState(container.pid())).isEqualTo("D");

        runtime.unpause(spec.id());

        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.RUNNING);
        assertThat(cgroups.read("freezer", cgroup, "freezer.state")).contains("THAWED");
        assertThat(processState(container.pid())).isEqualTo("S");
    }

    private static String processState(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void shouldRunAsTheUserNamedInEtcPasswd() throws Exception {
        ContainerSpec spec = spec("id").withUser("app", List.of());
        run(spec);
        exitOf(spec.id());

        // Supplementary groups come from /etc/group membership, as with runc and Docker; the primary group is not
        // repeated there.
        assertThat(stdout(spec.id())).isEqualTo("uid=1000(app) gid=1000(app) groups=2000(extra)\n");
    }

    @Test
    void shouldRejectAnUnknownUserAndLeaveNothing() {
        ContainerSpec spec = spec("id").withUser("ghost", List.of());

        assertThatThrownBy(() -> runtime.create(spec))
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.INVALID_SPEC);
                assertThat(e.getMessage()).contains("unable to find user ghost");
            });
        assertThat(settings.containersDir().resolve(spec.id())).doesNotExist();
    }

    @Test
    void shouldApplyTheMemoryLimitToTheContainersCgroup() throws Exception {
        ContainerSpec spec = spec("sleep", "1000").withResources(Resources.NONE.withMemoryBytes(64L * 1024 * 1024));
        run(spec);
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        String file = cgroups.layout() == CgroupTree.Layout.UNIFIED ? "memory.max" : "memory.limit_in_bytes";

        assertThat(cgroups.read("memory", CGROUP_PARENT + "/" + spec.id(), file)).contains("67108864");
    }

    @Test
    void shouldStopForkingAtThePidsLimit() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 1000 & done; echo forked; wait")
            .withResources(Resources.NONE.withPidsLimit(4));
        run(spec);
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        String cgroup = CGROUP_PARENT + "/" + spec.id();

        assertThat(cgroups.read("pids", cgroup, "pids.max")).contains("4");
        assertThat(exitOf(spec.id()).exitCode()).isNotZero();
        assertThat(JsonFileLog.readAll(runtime.logFile(spec.id())))
            .extracting(LogEntry::stream, LogEntry::text)
            .contains(tuple(LogStream.STDERR,
                "sh: can't fork: Resource temporarily unavailable\n"));
        assertThat(stdout(spec.id())).doesNotContain("forked");
    }

    @Test
    void shouldFlagAnOomKillEvenWhenTheMainProcessExitsNormally() throws Exception {
        // sort holds its one endless line in memory and is OOM-killed; the shell itself exits 0.
        ContainerSpec spec = spec("sh", "-c", "head -c 200000000 /dev/zero | sort > /dev/null; echo sort-done")
            .withResources(Resources.NONE.withMemoryBytes(20L * 1024 * 1024));
        run(spec);

        ContainerExit exit = exitOf(spec.id());

        assertThat(exit.exitCode()).isZero();
        assertThat(exit.oomKilled()).isTrue();
        assertThat(stdout(spec.id())).contains("sort-done");
    }

    @Test
    void shouldGiveATtyContainerATerminal() throws Exception {
        ContainerSpec spec = spec("tty").withTty(true);
        run(spec);

        assertThat(exitOf(spec.id()).exitCode()).isZero();
        assertThat(stdout(spec.id())).isEqualTo("/dev/pts/0\r\n");
    }

    @Test
    void shouldRefuseToExecInAPausedContainerWithTheRuntimesMessage() {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);
        runtime.pause(spec.id());

        assertThatThrownBy(() -> runtime.exec(spec.id(), ExecSpec.of("true")))
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.RUNTIME_FAILED);
                assertThat(e.getMessage()).contains("paused");
            });
        assertThat(settings.containersDir().resolve(spec.id()).resolve("exec")).isEmptyDirectory();
    }

    @Test
    void shouldCaptureAnExecsOutputAndExitCode() throws Exception {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);

        ExecResult result = runtime.exec(spec.id(), ExecSpec.of("sh", "-c", "echo out; echo err >&2; exit 42"));

        assertThat(result.exitCode()).isEqualTo(42);
        assertThat(result.text(LogStream.STDOUT)).isEqualTo("out\n");
        assertThat(result.text(LogStream.STDERR)).isEqualTo("err\n");
        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.RUNNING);
    }

    @Test
    void shouldExecAsAnotherUserInAnotherDirectory() throws Exception {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);

        ExecResult result = runtime.exec(spec.id(),
            new ExecSpec(List.of("sh", "-c", "id -u; pwd; echo $GREETING"), List.of("GREETING=hi"), "nobody", "/tmp"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.text(LogStream.STDOUT)).isEqualTo("65534\n/tmp\nhi\n");
    }

    @Test
    void shouldRunAContainerCreatedFirstOnceStarted() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "echo started");
        runtime.create(spec);

        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.CREATED);
        runtime.start(spec.id());
        assertThat(exitOf(spec.id()).exitCode()).isZero();
        assertThat(stdout(spec.id())).isEqualTo("started\n");
    }

    @ParameterizedTest(name = "started at once: {0}")
    @ValueSource(booleans = {false, true})
    void shouldReportTheRuntimesMessageWhenTheCommandDoesNotExistAndLeaveNothing(boolean startAtOnce) {
        ContainerSpec spec = spec("/nonexistent");

        assertThatThrownBy(() -> {
            if (startAtOnce) {
                runtime.run(spec);
            } else {
                runtime.create(spec);
            }
        })
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.RUNTIME_FAILED);
                assertThat(e.getMessage()).contains("/nonexistent").contains("no such file or directory");
            });
        assertThat(settings.containersDir().resolve(spec.id())).doesNotExist();
        assertThat(settings.exitDir().resolve(spec.id())).doesNotExist();
        assertThat(settings.socketDir().resolve(ContainerMonitor.attachName(spec.id()))).doesNotExist();
        assertThat(settings.runtimeStateDir("runc").resolve(spec.id())).doesNotExist();
    }

    @Test
    void shouldRefuseToRemoveARunningContainerWithoutForce() {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);

        assertThatThrownBy(() -> runtime.delete(spec.id(), false))
            .isInstanceOfSatisfying(RuntimeFailure.class,
                e -> assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.CONFLICT));
        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.RUNNING);
    }

    @Test
    void shouldRemoveTheContainerAndItsMonitorOnForcedDelete() {
        ContainerSpec spec = spec("sleep", "1000");
        CreatedContainer container = run(spec);

        runtime.delete(spec.id(), true);

        assertThat(HostProcess.startTicks(container.monitorPid())).isEmpty();
        assertThat(HostProcess.startTicks(container.pid())).isEmpty();
        assertThatThrownBy(() -> runtime.state(spec.id()))
            .isInstanceOfSatisfying(RuntimeFailure.class,
                e -> assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.NO_SUCH_CONTAINER));
    }

    @Test
    void shouldRefuseCrunOnAHybridCgroupHost() {
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        Assumptions.assumeFalse(cgroups.hybridUnifiedControllers().isEmpty(), "only hybrid hosts with v2 controllers");

        assertThatThrownBy(() -> new RuncRuntime(settings.withDefaultRuntime("crun"),
            new ObjectMapper(), System.getProperty("os.arch")))
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME);
                assertThat(e.getMessage()).contains("crun").contains("hybrid");
            });
    }

    @Test
    void shouldRefuseACrunContainerOnAHybridCgroupHost() {
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        Assumptions.assumeFalse(cgroups.hybridUnifiedControllers().isEmpty(), "only hybrid hosts with v2 controllers");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/crun")), "crun is installed");

        assertThatThrownBy(() -> runtime.selectRuntime("crun"))
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME);
                assertThat(e.getMessage()).contains("crun cannot run containers on this host").contains("hybrid");
            });
    }

    @Test
    void shouldApplyNewLimitsToARunningContainersCgroups() {
        ContainerSpec spec = spec("sleep", "1000").withResources(new Resources(64L << 20, 128L << 20, 512, 50_000,
            100_000, "0-1", "", 20));
        run(spec);
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        Assumptions.assumeTrue(cgroups.layout() != CgroupTree.Layout.UNIFIED, "the files read are cgroup v1 files");
        String cgroup = CGROUP_PARENT + "/" + spec.id();

        Assumptions.assumeTrue(cgroups.limitsSwap(), "swap accounting is off on this host");
        assertThat(cgroups.read("memory", cgroup, "memory.memsw.limit_in_bytes")).contains(Long.toString(128L << 20));
        runtime.update(spec.id(), new Resources(128L << 20, 384L << 20, 256, 25_000, 100_000, "0", "", 50));

        assertThat(cgroups.read("memory", cgroup, "memory.limit_in_bytes")).contains(Long.toString(128L << 20));
        assertThat(cgroups.read("memory", cgroup, "memory.memsw.limit_in_bytes")).contains(Long.toString(384L << 20));
        assertThat(cgroups.read("cpu", cgroup, "cpu.cfs_quota_us")).contains("25000");
        assertThat(cgroups.read("cpu", cgroup, "cpu.shares")).contains("256");
        assertThat(cgroups.read("pids", cgroup, "pids.max")).contains("50");
        assertThat(cgroups.read("cpuset", cgroup, "cpuset.cpus")).contains("0");
    }

    @Test
    void shouldLiftALimitUpdatedToZero() {
        ContainerSpec spec = spec("sleep", "1000").withResources(Resources.NONE.withPidsLimit(20));
        run(spec);
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        Assumptions.assumeTrue(cgroups.layout() != CgroupTree.Layout.UNIFIED, "the files read are cgroup v1 files");

        runtime.update(spec.id(), Resources.NONE);

        assertThat(cgroups.read("pids", CGROUP_PARENT + "/" + spec.id(), "pids.max")).contains("max");
    }

    @Test
    void shouldUpdateAPausedContainer() {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);
        runtime.pause(spec.id());
        CgroupTree cgroups = CgroupTree.detect(settings.cgroupRoot());
        Assumptions.assumeTrue(cgroups.layout() != CgroupTree.Layout.UNIFIED, "the files read are cgroup v1 files");

        runtime.update(spec.id(), Resources.NONE.withMemoryBytes(32L << 20));

        assertThat(cgroups.read("memory", CGROUP_PARENT + "/" + spec.id(), "memory.limit_in_bytes"))
            .contains(Long.toString(32L << 20));
        assertThat(runtime.state(spec.id()).status()).isEqualTo(ContainerStatus.PAUSED);
    }

    @Test
    void shouldReportTheKernelsRefusalOfAnUpdate() {
        ContainerSpec spec = spec("sleep", "1000");
        run(spec);

        assertThatThrownBy(() -> runtime.update(spec.id(), Resources.NONE.withCpuset("7-9", "")))
            .isInstanceOfSatisfying(RuntimeFailure.class,
                e -> assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.RUNTIME_FAILED));
    }

    @Test
    void shouldRefuseAnUnknownRuntimeAndLeaveNothing() {
        ContainerSpec spec = spec("true").withRuntime("nosuch");

        assertThatThrownBy(() -> runtime.create(spec))
            .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.INVALID_SPEC);
                assertThat(e.getMessage()).isEqualTo("Unknown runtime specified nosuch");
            });
        assertThat(settings.containersDir().resolve(spec.id())).doesNotExist();
    }

    @Test
    void shouldSelectTheDefaultRuntimeForAnEmptyName() {
        assertThat(runtime.selectRuntime("")).isEqualTo("runc");
        assertThat(runtime.selectRuntime("traced")).isEqualTo("traced");
    }

    @Test
    void shouldMakeEveryCallForAContainerThroughItsOwnRuntimeAlsoAfterARestart() throws Exception {
        ContainerSpec spec = spec("sleep", "1000").withRuntime("traced");
        ContainerSpec other = spec("true");
        run(spec);
        run(other);
        exitOf(other.id());

        try (RuncRuntime restarted = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"))) {
            restarted.kill(spec.id(), "KILL");
        }
        exitOf(spec.id());

        String calls = Files.readString(trace);
        assertThat(calls).contains("--root " + settings.runtimeStateDir("traced"))
            .contains("run --detach --bundle " + settings.containersDir().resolve(spec.id()))
            .contains("kill " + spec.id() + " KILL")
            .doesNotContain(other.id());
        assertThat(settings.runtimeStateDir("traced").resolve(spec.id())).exists();
    }

    @Test
    void shouldStillStartAndNameTheMissingRuntimeWhenAContainersRuntimeWasTakenOut() throws Exception {
        ContainerSpec spec = spec("sleep", "1000").withRuntime("traced");
        CreatedContainer container = run(spec);
        RuntimeSettings withoutTraced = new RuntimeSettings(settings.defaultRuntime(),
            Map.of("runc", settings.runtimes().get("runc")), Map.of(), settings.monitorPath(), settings.stateRoot(),
            settings.execRoot(), settings.cgroupParent(), settings.cgroupRoot(), settings.defaultStopTimeout(),
            settings.commandTimeout(), settings.monitorLogLevel(), settings.openFilesLimit(), settings.log());

        try (RuncRuntime restarted = new RuncRuntime(withoutTraced, new ObjectMapper(), System.getProperty("os.arch"))) {
            assertThat(restarted.recover()).filteredOn(r -> r.id().equals(spec.id())).singleElement()
                .satisfies(r -> {
                    assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
                    assertThat(r.pid()).isEqualTo(container.pid());
                });
            assertThatThrownBy(() -> restarted.kill(spec.id(), "KILL"))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.getMessage())
                    .contains("runtime traced").contains("--add-runtime traced=PATH"));
        }
        runtime.kill(spec.id(), "KILL");
        exitOf(spec.id());
    }

    @Test
    void shouldKeepTheLogOfAContainerMadeUnderConmonWhenItRunsAgainUnderKeelMonitor() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "echo again");
        Path conmonLog = settings.containersDir().resolve(spec.id()).resolve("ctr.log");
        Files.createDirectories(conmonLog.getParent());
        Files.writeString(conmonLog, "2026-11-28T17:35:11.276402194+00:00 stdout F before\n");

        run(spec);
        exitOf(spec.id());
        runtime.reset(spec.id());

        assertThat(runtime.logFile(spec.id())).hasFileName(spec.id() + "-json.log");
        assertThat(stdout(spec.id())).isEqualTo("again\n");
        assertThat(conmonLog).hasContent("2026-11-28T17:35:11.276402194+00:00 stdout F before");
    }
}
