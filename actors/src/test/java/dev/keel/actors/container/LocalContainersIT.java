package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.actors.container.Containers.LogLine;
import dev.keel.actors.container.Containers.LogQuery;
import dev.keel.actors.container.Containers.WaitCondition;
import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.ImageJson;
import dev.keel.os.image.ImagePlatform;
import dev.keel.os.image.ImageReference;
import dev.keel.os.image.ImageSettings;
import dev.keel.os.image.ImageStore;
import dev.keel.os.image.ReferenceIndex;
import dev.keel.os.image.RootfsImport;
import dev.keel.os.image.StoredImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalContainers} on a real single-node cluster with the embedded journal, real runc, real conmon and
 * overlayfs, with a busybox image made from the host's static /bin/busybox.
 */
class LocalContainersIT {

    private static final String CGROUP_PARENT = "/keel-it-containers";
    private static final String IMAGE = "busybox:it";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Path root;
    private static Config config;
    private static ImageCatalog catalog;
    private static ActorSystem<Void> system;
    private static LocalContainers containers;

    @BeforeAll
    static void start() throws Exception {
        // Short: <exec-root>/socks/<64-hex id>/attach must fit in a unix socket path.
        root = Files.createTempDirectory(Path.of("/tmp"), "klc");
        config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "keel.native.runtime.state-root", root.resolve("state").toString(),
                        "keel.native.runtime.exec-root", root.resolve("x").toString(),
                        "keel.native.runtime.cgroup-parent", CGROUP_PARENT,
                        "keel.native.image.data-root", root.resolve("data").toString()))
                .withFallback(EmbeddedJournalConfig.forDir(root.resolve("journal")));
        ImageSettings images = ImageSettings.fromConfig(config.getConfig("keel.native.image"));
        ImageJson json = new ImageJson();
        catalog = new ImageCatalog(new ImageStore(images, Syscalls.load(), json), new ReferenceIndex(images, json));
        StoredImage image = new RootfsImport(catalog, json, ImagePlatform.host(), Clock.systemUTC())
                .importTarball(new ByteArrayInputStream(busyboxRootfs()), List.of("CMD [\"sh\"]"), null);
        catalog.references().tag(ImageReference.parse(IMAGE), image.id());
        startSystem();
    }

    private static void startSystem() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "LocalContainersIT", config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        assertThat(eventually(() -> cluster.selfMember().status().equals(MemberStatus.up()))).isTrue();
        Domain domain = Domain.start(system, Clock.systemUTC());
        containers = LocalContainers.start(system, domain, catalog, Clock.systemUTC());
        await(containers.reconcile());
    }

    private static void stopSystem() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        for (State state : await(containers.list(true))) {
            await(containers.remove(state.containerId(), true, false));
        }
        assertThat(eventually(() -> hostResidue().isEmpty())).as("left on the host: %s", hostResidue()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        stopSystem();
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Files.deleteIfExists(controller.resolve(CGROUP_PARENT.substring(1)));
            }
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void shouldRecordTheExitOfTrue() throws Exception {
        String id = run(config("true"));

        assertThat(exitOf(id)).isEqualTo(0);
        State state = await(containers.inspect(id));
        assertThat(state.status()).isEqualTo(Status.EXITED);
        assertThat(state.exitCode()).isZero();
        assertThat(state.finishedAt()).isAfterOrEqualTo(state.startedAt());
    }

    @Test
    void shouldLogBothStreamsWithSelectionAndTail() throws Exception {
        String id = run(config("sh", "-c", "echo out; echo err >&2; exit 3"));

        assertThat(exitOf(id)).isEqualTo(3);
        assertThat(await(containers.inspect(id)).exitCode()).isEqualTo(3);
        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, -1, false)))
                .containsExactlyInAnyOrder("STDOUT out\n", "STDERR err\n");
        assertThat(logs(id, new LogQuery(true, false, Instant.MIN, Instant.MAX, -1, false))).containsExactly("STDOUT out\n");
        assertThat(logs(id, new LogQuery(false, true, Instant.MIN, Instant.MAX, -1, false))).containsExactly("STDERR err\n");
        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, 1, false))).hasSize(1);
        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, 0, false))).isEmpty();
    }

    @Test
    void shouldFollowALogUntilTheContainerExits() throws Exception {
        String id = run(config("sh", "-c", "echo one; sleep 1; echo two"));

        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, -1, true)))
                .containsExactly("STDOUT one\n", "STDOUT two\n");
        assertThat(await(containers.inspect(id)).status()).isEqualTo(Status.EXITED);
    }

    @Test
    void shouldStopWithinTheTimeout() throws Exception {
        String id = run(config("sleep", "100"));

        long started = System.nanoTime();
        State stopped = await(containers.stop(id, Optional.of(Duration.ofSeconds(1)), Optional.empty()));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(stopped.status()).isEqualTo(Status.EXITED);
        assertThat(stopped.exitCode()).isIn(137, 143);
        assertThatThrownBy(() -> await(containers.stop(id, Optional.empty(), Optional.empty())))
                .hasCauseInstanceOf(EngineFailure.class)
                .satisfies(e -> assertThat(((EngineFailure) e.getCause()).reason()).isEqualTo(Rejection.NOT_MODIFIED));
    }

    @Test
    void shouldRestartARunningContainerAndKeepItRunning() throws Exception {
        String id = run(config("sleep", "100"));
        long firstPid = await(containers.inspect(id)).pid();

        State restarted = await(containers.restart(id, Optional.of(Duration.ofSeconds(1))));

        assertThat(restarted.status()).isEqualTo(Status.RUNNING);
        assertThat(restarted.pid()).isNotEqualTo(firstPid);
        assertThat(Files.exists(Path.of("/proc/" + restarted.pid()))).isTrue();
        // The stopped run's clean-up comes before the new run, so it cannot take the new run down with it.
        State stopped = await(containers.stop(id, Optional.of(Duration.ofSeconds(1)), Optional.empty()));
        assertThat(stopped.exitCode()).isIn(137, 143);
        assertThat(stopped.finishedAt()).isAfter(restarted.startedAt());
    }

    @Test
    void shouldRefuseAnUnknownSignal() throws Exception {
        String id = run(config("sleep", "100"));

        assertThatThrownBy(() -> await(containers.kill(id, "NOPE")))
                .hasCauseInstanceOf(EngineFailure.class)
                .satisfies(e -> assertThat(((EngineFailure) e.getCause()).reason()).isEqualTo(Rejection.INVALID_ARGUMENT));
        assertThat(await(containers.inspect(id)).status()).isEqualTo(Status.RUNNING);
    }

    @Test
    void shouldKillARunningContainerAndRefuseToKillAStoppedOne() throws Exception {
        String id = run(config("sleep", "100"));

        await(containers.kill(id, "KILL"));

        assertThat(exitOf(id)).isEqualTo(137);
        assertThatThrownBy(() -> await(containers.kill(id, "KILL")))
                .hasCauseInstanceOf(EngineFailure.class)
                .hasMessageContaining("Container " + id + " is not running");
    }

    @Test
    void shouldPauseAndUnpause() throws Exception {
        String id = run(config("sleep", "100"));

        assertThat(await(containers.pause(id)).status()).isEqualTo(Status.PAUSED);
        assertThat(freezerState(id)).isEqualTo("FROZEN");
        assertThat(await(containers.unpause(id)).status()).isEqualTo(Status.RUNNING);
        assertThat(freezerState(id)).isEqualTo("THAWED");
    }

    @Test
    void shouldRemoveARunningContainerWithForceAndLeaveNothing() throws Exception {
        String id = run(config("sleep", "100"));
        assertThat(hostResidue()).isNotEmpty();

        assertThatThrownBy(() -> await(containers.remove(id, false, false)))
                .hasMessageContaining("You cannot remove a running container");
        await(containers.remove(id, true, false));

        assertThat(eventually(() -> hostResidue().isEmpty())).as("left on the host: %s", hostResidue()).isTrue();
        assertThat(root.resolve("data/containers").resolve(id)).doesNotExist();
        assertThat(root.resolve("state/containers").resolve(id)).doesNotExist();
        assertThatThrownBy(() -> await(containers.inspect(id))).hasMessageContaining("No such container");
        assertThat(containers.usesImage(catalog.resolve(IMAGE).id().toString())).isFalse();
    }

    @Test
    void shouldRestartOnFailureTwiceThenStayExited() throws Exception {
        ContainerConfig failing = withRestartPolicy(config("sh", "-c", "echo run; exit 1"), new RestartPolicy(RestartPolicy.Mode.ON_FAILURE, 2));
        String id = run(failing);

        assertThat(eventually(() -> {
            State s = join(containers.inspect(id));
            return s.restartCount() == 2 && s.status() == Status.EXITED;
        })).isTrue();
        CompletionStage<Containers.Exit> nextExit = await(containers.await(id, WaitCondition.NEXT_EXIT));
        assertThatThrownBy(() -> nextExit.toCompletableFuture().get(2, TimeUnit.SECONDS))
                .isInstanceOf(TimeoutException.class);
        State state = await(containers.inspect(id));
        assertThat(state.restartCount()).isEqualTo(2);
        assertThat(state.exitCode()).isEqualTo(1);
        // One log across the three runs: a restart keeps the earlier runs' output.
        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, -1, false)))
                .containsExactly("STDOUT run\n", "STDOUT run\n", "STDOUT run\n");
    }

    @Test
    void shouldRemoveAnAutoRemoveContainerWhenItExits() throws Exception {
        ContainerConfig c = config("true");
        ContainerConfig autoRemove = new ContainerConfig(c.cmd(), c.entrypoint(), c.env(), c.workingDir(), c.user(),
                c.hostname(), c.labels(), c.tty(), c.openStdin(), c.stopSignal(), c.restartPolicy(), c.resources(),
                true, c.networkMode(), c.binds(), c.exposedPorts());
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, autoRemove))).containerId();
        CompletionStage<Containers.Exit> removed = await(containers.await(id, WaitCondition.REMOVED));
        await(containers.start(id));

        assertThat(removed.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).exitCode()).isZero();
        assertThatThrownBy(() -> await(containers.inspect(id))).hasMessageContaining("No such container");
        assertThat(root.resolve("data/containers").resolve(id)).doesNotExist();
    }

    @Test
    void shouldLeaveAContainerCreatedAndTheHostCleanWhenItsUserIsUnknown() throws Exception {
        ContainerConfig c = config("true");
        ContainerConfig ghost = new ContainerConfig(c.cmd(), c.entrypoint(), c.env(), c.workingDir(), "ghost",
                c.hostname(), c.labels(), c.tty(), c.openStdin(), c.stopSignal(), c.restartPolicy(), c.resources(),
                c.autoRemove(), c.networkMode(), c.binds(), c.exposedPorts());
        String id = await(containers.create(new Containers.CreateRequest("ghostly", IMAGE, ghost))).containerId();

        assertThatThrownBy(() -> await(containers.start("ghostly")))
                .hasCauseInstanceOf(EngineFailure.class)
                .hasMessageContaining("unable to find user ghost: no matching entries in passwd file")
                .satisfies(e -> assertThat(((EngineFailure) e.getCause()).reason()).isEqualTo(Rejection.INVALID_ARGUMENT));
        assertThat(await(containers.inspect(id)).status()).isEqualTo(Status.CREATED);
        assertThat(hostResidue()).isEmpty();
        assertThat(root.resolve("state/containers").resolve(id)).doesNotExist();
    }

    @Test
    void shouldRefuseAMissingImageAndResolveNamesAndPrefixes() throws Exception {
        assertThatThrownBy(() -> await(containers.create(new Containers.CreateRequest("", "nope:1", config("true")))))
                .hasMessageContaining("No such image: nope:1");
        String id = await(containers.create(new Containers.CreateRequest("web", IMAGE, config("true")))).containerId();

        assertThat(await(containers.resolve("/web"))).isEqualTo(id);
        assertThat(await(containers.resolve("web"))).isEqualTo(id);
        assertThat(await(containers.resolve(id.substring(0, 8)))).isEqualTo(id);
        assertThat(containers.usesImage(catalog.resolve(IMAGE).id().toString())).isTrue();
        assertThat(await(containers.inspect(id)).config().cmd()).containsExactly("true");
    }

    @Test
    void shouldReadoptARunningContainerAndRecordOneThatExitedWhileDown() throws Exception {
        String running = run(config("sleep", "100"));
        String exiting = run(config("sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 7"));

        stopSystem();
        Files.writeString(root.resolve("data/containers").resolve(exiting).resolve("merged/tmp/go"), "go");
        assertThat(eventually(() -> Files.exists(root.resolve("x/exits").resolve(exiting)))).isTrue();
        startSystem();

        assertThat(eventually(() -> join(containers.inspect(exiting)).status() == Status.EXITED)).isTrue();
        assertThat(await(containers.inspect(exiting)).exitCode()).isEqualTo(7);
        assertThat(await(containers.inspect(running)).status()).isEqualTo(Status.RUNNING);
        State stopped = await(containers.stop(running, Optional.of(Duration.ofSeconds(1)), Optional.empty()));
        assertThat(stopped.status()).isEqualTo(Status.EXITED);
        assertThat(stopped.exitCode()).isIn(137, 143);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static ContainerConfig config(String... cmd) {
        ContainerConfig e = ContainerConfig.EMPTY;
        return new ContainerConfig(List.of(cmd), e.entrypoint(), e.env(), e.workingDir(), e.user(), e.hostname(),
                e.labels(), e.tty(), e.openStdin(), e.stopSignal(), e.restartPolicy(), e.resources(), e.autoRemove(),
                e.networkMode(), e.binds(), e.exposedPorts());
    }

    private static ContainerConfig withRestartPolicy(ContainerConfig c, RestartPolicy policy) {
        return new ContainerConfig(c.cmd(), c.entrypoint(), c.env(), c.workingDir(), c.user(), c.hostname(), c.labels(),
                c.tty(), c.openStdin(), c.stopSignal(), policy, c.resources(), c.autoRemove(), c.networkMode(),
                c.binds(), c.exposedPorts());
    }

    private static String run(ContainerConfig config) throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config))).containerId();
        await(containers.start(id));
        return id;
    }

    private static long exitOf(String id) throws Exception {
        return await(containers.await(id, WaitCondition.NOT_RUNNING)).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).exitCode();
    }

    private static List<String> logs(String id, LogQuery query) throws Exception {
        List<LogLine> lines = await(await(containers.logs(id, query)).runWith(Sink.seq(), system));
        return lines.stream().map(l -> l.stream() + " " + new String(l.content(), StandardCharsets.UTF_8)).toList();
    }

    private static String freezerState(String id) throws IOException {
        return Files.readString(Path.of("/sys/fs/cgroup/freezer", CGROUP_PARENT.substring(1), id, "freezer.state")).trim();
    }

    /** Mounts under the test's root, processes that mention it, and container cgroups under the test's parent. */
    private static List<String> hostResidue() {
        List<String> residue = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(root.toString())) {
                    residue.add("mount " + line);
                }
            }
            long self = ProcessHandle.current().pid();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    if (Long.parseLong(p.getFileName().toString()) == self) {
                        continue;
                    }
                    String cmdline = readQuietly(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(root.toString()) || readQuietly(p.resolve("cgroup")).contains(CGROUP_PARENT + "/")) {
                        residue.add("process " + p.getFileName() + " " + cmdline.trim());
                    }
                }
            }
            try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path controller : controllers.toList()) {
                    Path parent = controller.resolve(CGROUP_PARENT.substring(1));
                    if (Files.isDirectory(parent)) {
                        try (Stream<Path> children = Files.list(parent)) {
                            children.filter(Files::isDirectory).forEach(c -> residue.add("cgroup " + c));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return residue;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return true;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return await(stage);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** bin/busybox with the applets the tests use, /tmp, and /etc/passwd with root and nobody. */
    private static byte[] busyboxRootfs() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin/", "etc/", "tmp/", "proc/", "sys/", "dev/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(dir.equals("tmp/") ? 041777 : 040755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            file(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            for (String applet : List.of("sh", "echo", "sleep", "true", "false", "cat", "id")) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            file(tar, "etc/passwd", ("root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/group", "root:x:0:\nnobody:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
