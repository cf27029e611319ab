package dev.keel.httpapi.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.Containers;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.httpapi.route.ApiVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerCodecTest {

    private static final String ID = "4f1c1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
    private static final Instant CREATED = Instant.parse("2026-11-30T10:00:00.120Z");

    private static Containers.CreateRequest create(String json) {
        return ContainerCodec.decodeCreate("web", json.getBytes(StandardCharsets.UTF_8));
    }

    private static State state(Status status, ContainerConfig config, Instant startedAt, Instant finishedAt, int exitCode) {
        return new State(ID, status, "/web", "sha256:abc", "busybox", config, status == Status.RUNNING ? 42 : 0,
                exitCode, false, 0, CREATED, startedAt, finishedAt);
    }

    private static State state(Status status, Instant startedAt, Instant finishedAt, int exitCode) {
        return state(status, ContainerConfig.EMPTY, startedAt, finishedAt, exitCode);
    }

    @Test
    void shouldDecodeCmdGivenAsStringAsOneArgument() {
        Containers.CreateRequest request = create("{\"Image\":\"busybox\",\"Cmd\":\"echo hi\"}");

        assertThat(request.config().cmd()).containsExactly("echo hi");
    }

    @Test
    void shouldDecodeCmdAndEntrypointGivenAsArrays() {
        Containers.CreateRequest request = create(
                "{\"Image\":\"busybox\",\"Cmd\":[\"-c\",\"echo hi\"],\"Entrypoint\":[\"sh\"]}");

        assertThat(request.config().entrypoint()).containsExactly("sh");
        assertThat(request.config().cmd()).containsExactly("-c", "echo hi");
    }

    @Test
    void shouldDecodeConfigAndHostConfig() {
        Containers.CreateRequest request = create("""
                {"Image":"busybox:1.36","Env":["A=1"],"WorkingDir":"/w","User":"1000","Hostname":"h",
                 "Labels":{"k":"v"},"Tty":true,"OpenStdin":true,"StdinOnce":true,"StopSignal":"SIGINT",
                 "ExposedPorts":{"80/tcp":{}},
                 "HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},"AutoRemove":false,
                   "Memory":67108864,"MemorySwap":-1,"NanoCpus":500000000,"CpuShares":512,"PidsLimit":-1,
                   "NetworkMode":"none","Binds":["/src:/dst:ro"]},
                 "NetworkingConfig":{"EndpointsConfig":{}}}""");

        ContainerConfig c = request.config();
        assertThat(request.name()).isEqualTo("web");
        assertThat(request.image()).isEqualTo("busybox:1.36");
        assertThat(c.env()).containsExactly("A=1");
        assertThat(c.workingDir()).isEqualTo("/w");
        assertThat(c.user()).isEqualTo("1000");
        assertThat(c.hostname()).isEqualTo("h");
        assertThat(c.labels()).containsExactlyEntriesOf(Map.of("k", "v"));
        assertThat(c.tty()).isTrue();
        assertThat(c.openStdin()).isTrue();
        assertThat(c.stopSignal()).isEqualTo("SIGINT");
        assertThat(c.exposedPorts()).containsExactly("80/tcp");
        assertThat(c.restartPolicy()).isEqualTo(new RestartPolicy(RestartPolicy.Mode.ON_FAILURE, 3));
        assertThat(c.resources()).isEqualTo(new ContainerResources(67108864, -1, 500000000, 512, 0));
        assertThat(c.networkMode()).isEqualTo("none");
        assertThat(c.binds()).containsExactly("/src:/dst:ro");
    }

    @Test
    void shouldMatchFieldNamesCaseInsensitivelyAsGoDoes() {
        Containers.CreateRequest request = create("{\"image\":\"busybox\",\"cmd\":[\"true\"]}");

        assertThat(request.image()).isEqualTo("busybox");
        assertThat(request.config().cmd()).containsExactly("true");
    }

    @Test
    void shouldRefuseABooleanGivenAsString() {
        assertThatThrownBy(() -> create("{\"Image\":\"busybox\",\"Tty\":\"yes\"}"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageContaining("field Tty");
    }

    @Test
    void shouldRefuseANestedNumberGivenAsString() {
        assertThatThrownBy(() -> create("{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"1g\"}}"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageContaining("field HostConfig.Memory");
    }

    @Test
    void shouldRefuseACmdOfNumbers() {
        assertThatThrownBy(() -> create("{\"Image\":\"busybox\",\"Cmd\":[1,2]}"))
                .isInstanceOf(EngineFailure.class)
                .hasMessageContaining("field Cmd");
    }

    @Test
    void shouldRefuseMalformedJson() {
        assertThatThrownBy(() -> create("{\"Image\":"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageStartingWith("invalid JSON");
    }

    @Test
    void shouldRefuseAnEmptyBody() {
        assertThatThrownBy(() -> create(""))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageContaining("request body is empty");
    }

    @Test
    void shouldRefuseABodyThatIsNotAnObject() {
        assertThatThrownBy(() -> create("[1]"))
                .isInstanceOf(EngineFailure.class)
                .hasMessageContaining("expected an object");
    }

    @Test
    void shouldRefuseAnUnknownRestartPolicy() {
        assertThatThrownBy(() -> create("{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessageContaining("invalid restart policy 'sometimes'");
    }

    @Test
    void shouldRefuseACreateWithoutImage() {
        assertThatThrownBy(() -> create("{\"Cmd\":[\"true\"]}"))
                .isInstanceOf(EngineFailure.class)
                .hasMessageContaining("Image is required");
    }

    @Test
    void shouldKeepWhatAnUpdateDoesNotSet() {
        ContainerConfig config = ContainerConfig.EMPTY.withUpdate(new ContainerResources(64L << 20, 0, 0, 512, 100),
                new RestartPolicy(RestartPolicy.Mode.ALWAYS, 0));
        State current = state(Status.RUNNING, config, CREATED, Instant.EPOCH, 0);

        ContainerCodec.Update update = ContainerCodec.decodeUpdate(
                "{\"Memory\":0,\"NanoCpus\":1000000000,\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}"
                        .getBytes(StandardCharsets.UTF_8), current);

        assertThat(update.resources()).isEqualTo(new ContainerResources(64L << 20, 0, 1_000_000_000, 512, 100));
        assertThat(update.restartPolicy()).isEqualTo(new RestartPolicy(RestartPolicy.Mode.ALWAYS, 0));
    }

    @Test
    void shouldChangeTheRestartPolicyWhenAnUpdateNamesOne() {
        State current = state(Status.RUNNING, CREATED, Instant.EPOCH, 0);

        ContainerCodec.Update update = ContainerCodec.decodeUpdate(
                "{\"RestartPolicy\":{\"Name\":\"unless-stopped\"},\"PidsLimit\":50}".getBytes(StandardCharsets.UTF_8),
                current);

        assertThat(update.restartPolicy().mode()).isEqualTo(RestartPolicy.Mode.UNLESS_STOPPED);
        assertThat(update.resources().pidsLimit()).isEqualTo(50);
    }

    @Test
    void shouldWordARunningContainerAsUp() {
        Instant started = CREATED.plusSeconds(1);

        assertThat(ContainerCodec.status(state(Status.RUNNING, started, Instant.EPOCH, 0), started.plusSeconds(3)))
                .isEqualTo("Up 3 seconds");
    }

    @Test
    void shouldWordAPausedContainer() {
        Instant started = CREATED.plusSeconds(1);

        assertThat(ContainerCodec.status(state(Status.PAUSED, started, Instant.EPOCH, 0), started.plusSeconds(90)))
                .isEqualTo("Up About a minute (Paused)");
    }

    @Test
    void shouldWordAnExitedContainerWithItsCodeAndAge() {
        Instant finished = CREATED.plusSeconds(10);
        State exited = state(Status.EXITED, CREATED.plusSeconds(1), finished, 137);

        assertThat(ContainerCodec.status(exited, finished.plusSeconds(5))).isEqualTo("Exited (137) 5 seconds ago");
    }

    @Test
    void shouldWordANeverStartedContainerAsCreated() {
        assertThat(ContainerCodec.status(state(Status.CREATED, Instant.EPOCH, Instant.EPOCH, 0), CREATED.plusSeconds(5)))
                .isEqualTo("Created");
    }

    @Test
    void shouldWordDurationsAsGoUnitsDoes() {
        assertThat(ContainerCodec.humanDuration(Duration.ofMillis(400))).isEqualTo("Less than a second");
        assertThat(ContainerCodec.humanDuration(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(ContainerCodec.humanDuration(Duration.ofSeconds(59))).isEqualTo("59 seconds");
        assertThat(ContainerCodec.humanDuration(Duration.ofSeconds(60))).isEqualTo("About a minute");
        assertThat(ContainerCodec.humanDuration(Duration.ofMinutes(59))).isEqualTo("59 minutes");
        assertThat(ContainerCodec.humanDuration(Duration.ofMinutes(60))).isEqualTo("About an hour");
        assertThat(ContainerCodec.humanDuration(Duration.ofHours(47))).isEqualTo("47 hours");
        assertThat(ContainerCodec.humanDuration(Duration.ofHours(48))).isEqualTo("2 days");
        assertThat(ContainerCodec.humanDuration(Duration.ofDays(14))).isEqualTo("2 weeks");
        assertThat(ContainerCodec.humanDuration(Duration.ofDays(60))).isEqualTo("2 months");
        assertThat(ContainerCodec.humanDuration(Duration.ofDays(800))).isEqualTo("2 years");
    }

    @Test
    void shouldListAContainerAsDockersSummary() {
        ContainerConfig config = new ContainerConfig(List.of("-c", "sleep 1"), List.of("sh"), List.of(), "", "", "",
                Map.of("k", "v"), false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of(),
                List.of());
        State running = state(Status.RUNNING, config, CREATED.plusSeconds(1), Instant.EPOCH, 0);

        JsonNode summary = ContainerCodec.summary(running, Map.of(), id -> "", CREATED.plusSeconds(4));

        assertThat(summary.get("Id").asText()).isEqualTo(ID);
        assertThat(summary.get("Names").get(0).asText()).isEqualTo("/web");
        assertThat(summary.get("Image").asText()).isEqualTo("busybox");
        assertThat(summary.get("ImageID").asText()).isEqualTo("sha256:abc");
        assertThat(summary.get("Command").asText()).isEqualTo("sh -c sleep 1");
        assertThat(summary.get("Created").asLong()).isEqualTo(CREATED.getEpochSecond());
        assertThat(summary.get("State").asText()).isEqualTo("running");
        assertThat(summary.get("Status").asText()).isEqualTo("Up 3 seconds");
        assertThat(summary.get("Labels").get("k").asText()).isEqualTo("v");
        assertThat(summary.get("HostConfig").get("NetworkMode").asText()).isEqualTo("default");
        assertThat(summary.get("NetworkSettings").get("Networks").isObject()).isTrue();
        assertThat(summary.get("Ports").isArray()).isTrue();
        assertThat(summary.get("Mounts").isArray()).isTrue();
    }

    @Test
    void shouldInspectWithGoZeroTimesAndTheKeysTheClisRead() {
        State created = state(Status.CREATED, ContainerConfig.EMPTY, Instant.EPOCH, Instant.EPOCH, 0);

        JsonNode inspect = ContainerCodec.inspect(created, Map.of(), id -> "", "", "/var/lib/keel/c1-json.log");

        assertThat(inspect.get("Created").asText()).isEqualTo("2026-11-30T10:00:00.12Z");
        assertThat(inspect.at("/State/Status").asText()).isEqualTo("created");
        assertThat(inspect.at("/State/StartedAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(inspect.at("/State/FinishedAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(inspect.at("/State/Running").asBoolean()).isFalse();
        assertThat(inspect.at("/NetworkSettings/Networks").isObject()).isTrue();
        assertThat(inspect.at("/HostConfig/RestartPolicy/Name").asText()).isEqualTo("no");
        assertThat(inspect.at("/GraphDriver/Name").asText()).isEqualTo("overlay2");
        assertThat(inspect.at("/Config/Hostname").asText()).isEqualTo(ID.substring(0, 12));
        assertThat(inspect.at("/Config/Tty").isBoolean()).isTrue();
        assertThat(inspect.get("Name").asText()).isEqualTo("/web");
        assertThat(inspect.get("LogPath").asText()).isEqualTo("/var/lib/keel/c1-json.log");
    }

    @Test
    void shouldSplitTheCommandIntoPathAndArgs() {
        ContainerConfig config = new ContainerConfig(List.of("echo", "hi"), List.of(), List.of(), "", "", "", Map.of(),
                false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of("/a:/b"), List.of());

        JsonNode inspect = ContainerCodec.inspect(state(Status.RUNNING, config, CREATED, Instant.EPOCH, 0), Map.of(), id -> "", "", "");

        assertThat(inspect.get("Path").asText()).isEqualTo("echo");
        assertThat(inspect.get("Args")).hasSize(1);
        assertThat(inspect.get("Args").get(0).asText()).isEqualTo("hi");
        assertThat(inspect.at("/State/Pid").asLong()).isEqualTo(42);
        assertThat(inspect.at("/Mounts/0/Type").asText()).isEqualTo("bind");
        assertThat(inspect.at("/Mounts/0/Destination").asText()).isEqualTo("/b");
        assertThat(inspect.at("/Mounts/0/RW").asBoolean()).isTrue();
    }

    @Test
    void shouldFrameALineWithDockersEightByteHeader() {
        Containers.LogLine line = new Containers.LogLine(Containers.LogStream.STDERR, CREATED,
                "oops\n".getBytes(StandardCharsets.UTF_8));

        byte[] frame = ContainerCodec.logFrame(line, false, false).toArray();

        assertThat(frame).startsWith(2, 0, 0, 0, 0, 0, 0, 5);
        assertThat(new String(frame, 8, frame.length - 8, StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }

    @Test
    void shouldSendATtyLineRawWithItsTimestamp() {
        Containers.LogLine line = new Containers.LogLine(Containers.LogStream.STDOUT, CREATED,
                "hi\r\n".getBytes(StandardCharsets.UTF_8));

        String raw = ContainerCodec.logFrame(line, true, true).utf8String();

        assertThat(raw).isEqualTo("2026-11-30T10:00:00.120000000Z hi\r\n");
    }

    @Test
    void shouldTypeMultiplexedLogsOnlyFromApi142() {
        assertThat(ContainerCodec.logContentType(new ApiVersion(1, 41), false).toString())
                .isEqualTo("application/vnd.docker.raw-stream");
        assertThat(ContainerCodec.logContentType(new ApiVersion(1, 42), false).toString())
                .isEqualTo("application/vnd.docker.multiplexed-stream");
        assertThat(ContainerCodec.logContentType(new ApiVersion(1, 42), true).toString())
                .isEqualTo("application/vnd.docker.raw-stream");
    }

    @Test
    void shouldRefuseLogsWithoutAStream() {
        assertThatThrownBy(() -> ContainerCodec.logQuery(Optional.of("0"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(EngineFailure.class)
                .hasMessage("You must choose at least one stream");
    }

    @Test
    void shouldReadLogTimesAsUnixSecondsWithFraction() {
        Containers.LogQuery query = ContainerCodec.logQuery(Optional.of("1"), Optional.of("true"),
                Optional.of("1764496800.5"), Optional.of("0"), Optional.of("10"), Optional.of("1"));

        assertThat(query.since()).isEqualTo(Instant.ofEpochSecond(1764496800, 500_000_000));
        assertThat(query.until()).isEqualTo(Instant.MAX);
        assertThat(query.tail()).isEqualTo(10);
        assertThat(query.follow()).isTrue();
        assertThat(query.stdout() && query.stderr()).isTrue();
    }

    @Test
    void shouldRefuseABadTail() {
        assertThatThrownBy(() -> ContainerCodec.logQuery(Optional.of("1"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("lots"), Optional.empty()))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT));
    }

    @Test
    void shouldRefuseAnUnknownWaitCondition() {
        assertThatThrownBy(() -> ContainerCodec.waitCondition(Optional.of("stopped")))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT));
        assertThat(ContainerCodec.waitCondition(Optional.empty())).isEqualTo(Containers.WaitCondition.NOT_RUNNING);
        assertThat(ContainerCodec.waitCondition(Optional.of("removed"))).isEqualTo(Containers.WaitCondition.REMOVED);
    }

    @Test
    void shouldWriteTheWaitResultAsDocker() {
        assertThat(ContainerCodec.waitResult(new Containers.Exit(3)).utf8String())
                .isEqualTo("{\"StatusCode\":3,\"Error\":null}\n");
    }

    @Test
    void shouldPassANegativeStopTimeoutOnAsWaitForEver() {
        assertThat(ContainerCodec.stopTimeout(Optional.of("-1"))).contains(Duration.ofSeconds(-1));
        assertThat(ContainerCodec.stopTimeout(Optional.of("3"))).contains(Duration.ofSeconds(3));
        assertThat(ContainerCodec.stopTimeout(Optional.empty())).isEmpty();
        assertThatThrownBy(() -> ContainerCodec.stopTimeout(Optional.of("soon"))).isInstanceOf(EngineFailure.class);
    }

    @Test
    void shouldReadDockersBooleanParameters() {
        assertThat(ContainerCodec.flag(Optional.of("1"))).isTrue();
        assertThat(ContainerCodec.flag(Optional.of("True"))).isTrue();
        assertThat(ContainerCodec.flag(Optional.of("0"))).isFalse();
        assertThat(ContainerCodec.flag(Optional.of("false"))).isFalse();
        assertThat(ContainerCodec.flag(Optional.of(""))).isFalse();
        assertThat(ContainerCodec.flag(Optional.empty())).isFalse();
    }
}
