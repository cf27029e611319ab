package dev.keel.actors.container;

import static dev.keel.actors.container.ContainerHost.IMAGE;
import static dev.keel.actors.container.ContainerHost.WAIT;
import static dev.keel.actors.container.ContainerHost.await;
import static dev.keel.actors.container.ContainerHost.config;
import static dev.keel.actors.container.ContainerHost.eventually;
import static dev.keel.actors.container.ContainerHost.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.actors.container.Containers.LogLine;
import dev.keel.actors.container.Containers.LogQuery;
import dev.keel.actors.container.Containers.WaitCondition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalContainers} on a real single-node cluster with the embedded journal, real runc, real keel-monitor and
 * overlayfs, with a busybox image made from the host's static /bin/busybox.
 */
class LocalContainersIT {

    private static final String CGROUP_PARENT = "/keel-it-containers";

    private static ContainerHost host;
    private static LocalContainers containers;

    @BeforeAll
    static void start() throws Exception {
        host = ContainerHost.start("LocalContainersIT", CGROUP_PARENT);
        containers = host.containers();
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        host.removeEveryContainer();
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void shouldRecordTheExitOfTrue() throws Exception {
        String id = host.run(config("true"));

        assertThat(exitOf(id)).isEqualTo(0);
        State state = await(containers.inspect(id));
        assertThat(state.status()).isEqualTo(Status.EXITED);
        assertThat(state.exitCode()).isZero();
        assertThat(state.finishedAt()).isAfterOrEqualTo(state.startedAt());
    }

    @Test
    void shouldLogBothStreamsWithSelectionAndTail() throws Exception {
        String id = host.run(config("sh", "-c", "echo out; echo err >&2; exit 3"));

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
        String id = host.run(config("sh", "-c", "echo one; sleep 1; echo two"));

        assertThat(logs(id, new LogQuery(true, true, Instant.MIN, Instant.MAX, -1, true)))
                .containsExactly("STDOUT one\n", "STDOUT two\n");
        assertThat(await(containers.inspect(id)).status()).isEqualTo(Status.EXITED);
    }

    @Test
    void shouldStopWithinTheTimeout() throws Exception {
        String id = host.run(config("sleep", "100"));

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
        String id = host.run(config("sleep", "100"));
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
        String id = host.run(config("sleep", "100"));

        assertThatThrownBy(() -> await(containers.kill(id, "NOPE")))
                .hasCauseInstanceOf(EngineFailure.class)
                .satisfies(e -> assertThat(((EngineFailure) e.getCause()).reason()).isEqualTo(Rejection.INVALID_ARGUMENT));
        assertThat(await(containers.inspect(id)).status()).isEqualTo(Status.RUNNING);
    }

    @Test
    void shouldKillARunningContainerAndRefuseToKillAStoppedOne() throws Exception {
        String id = host.run(config("sleep", "100"));

        await(containers.kill(id, "KILL"));

        assertThat(exitOf(id)).isEqualTo(137);
        assertThatThrownBy(() -> await(containers.kill(id, "KILL")))
                .hasCauseInstanceOf(EngineFailure.class)
                .hasMessageContaining("Container " + id + " is not running");
    }

    @Test
    void shouldPauseAndUnpause() throws Exception {
        String id = host.run(config("sleep", "100"));

        assertThat(await(containers.pause(id)).status()).isEqualTo(Status.PAUSED);
        assertThat(freezerState(id)).isEqualTo("FROZEN");
        assertThat(await(containers.unpause(id)).status()).isEqualTo(Status.RUNNING);
        assertThat(freezerState(id)).isEqualTo("THAWED");
    }

    @Test
    void shouldRemoveARunningContainerWithForceAndLeaveNothing() throws Exception {
        String id = host.run(config("sleep", "100"));
        assertThat(host.residue()).isNotEmpty();

        assertThatThrownBy(() -> await(containers.remove(id, false, false)))
                .hasMessageContaining("You cannot remove a running container");
        await(containers.remove(id, true, false));

        assertThat(eventually(() -> host.residue().isEmpty())).as("left on the host: %s", host.residue()).isTrue();
        assertThat(host.root().resolve("data/containers").resolve(id)).doesNotExist();
        assertThat(host.root().resolve("state/containers").resolve(id)).doesNotExist();
        assertThatThrownBy(() -> await(containers.inspect(id))).hasMessageContaining("No such container");
        assertThat(containers.containerUsing(host.catalog().resolve(IMAGE).id().toString())).isEmpty();
    }

    @Test
    void shouldRestartOnFailureTwiceThenStayExited() throws Exception {
        ContainerConfig failing = withRestartPolicy(config("sh", "-c", "echo run; exit 1"), new RestartPolicy(RestartPolicy.Mode.ON_FAILURE, 2));
        String id = host.run(failing);

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
        assertThat(host.root().resolve("data/containers").resolve(id)).doesNotExist();
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
        assertThat(host.residue()).isEmpty();
        assertThat(host.root().resolve("state/containers").resolve(id)).doesNotExist();
    }

    @Test
    void shouldRefuseAMissingImageAndResolveNamesAndPrefixes() throws Exception {
        assertThatThrownBy(() -> await(containers.create(new Containers.CreateRequest("", "nope:1", config("true")))))
                .hasMessageContaining("No such image: nope:1");
        String id = await(containers.create(new Containers.CreateRequest("web", IMAGE, config("true")))).containerId();

        assertThat(await(containers.resolve("/web"))).isEqualTo(id);
        assertThat(await(containers.resolve("web"))).isEqualTo(id);
        assertThat(await(containers.resolve(id.substring(0, 8)))).isEqualTo(id);
        assertThat(containers.containerUsing(host.catalog().resolve(IMAGE).id().toString())).isPresent();
        assertThat(await(containers.inspect(id)).config().cmd()).containsExactly("true");
    }

    @Test
    void shouldReadoptARunningContainerAndRecordOneThatExitedWhileDown() throws Exception {
        String running = host.run(config("sleep", "100"));
        String exiting = host.run(config("sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 7"));

        host.stopSystem();
        Files.writeString(host.root().resolve("data/containers").resolve(exiting).resolve("merged/tmp/go"), "go");
        assertThat(eventually(() -> Files.exists(host.root().resolve("x/exits").resolve(exiting)))).isTrue();
        host.startSystem();
        containers = host.containers();

        assertThat(eventually(() -> join(containers.inspect(exiting)).status() == Status.EXITED)).isTrue();
        assertThat(await(containers.inspect(exiting)).exitCode()).isEqualTo(7);
        assertThat(await(containers.inspect(running)).status()).isEqualTo(Status.RUNNING);
        State stopped = await(containers.stop(running, Optional.of(Duration.ofSeconds(1)), Optional.empty()));
        assertThat(stopped.status()).isEqualTo(Status.EXITED);
        assertThat(stopped.exitCode()).isIn(137, 143);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static ContainerConfig withRestartPolicy(ContainerConfig c, RestartPolicy policy) {
        return new ContainerConfig(c.cmd(), c.entrypoint(), c.env(), c.workingDir(), c.user(), c.hostname(), c.labels(),
                c.tty(), c.openStdin(), c.stopSignal(), policy, c.resources(), c.autoRemove(), c.networkMode(),
                c.binds(), c.exposedPorts());
    }

    private static long exitOf(String id) throws Exception {
        return await(containers.await(id, WaitCondition.NOT_RUNNING)).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).exitCode();
    }

    private static List<String> logs(String id, LogQuery query) throws Exception {
        List<LogLine> lines = await(await(containers.logs(id, query)).runWith(Sink.seq(), host.system()));
        return lines.stream().map(l -> l.stream() + " " + new String(l.content(), StandardCharsets.UTF_8)).toList();
    }

    private static String freezerState(String id) throws IOException {
        return Files.readString(Path.of("/sys/fs/cgroup/freezer", CGROUP_PARENT.substring(1), id, "freezer.state")).trim();
    }

}
