package dev.keel.httpapi.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.actors.history.History;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.volume.VolumeEntity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerEventsTest {

    private static final String ID = "4f2a1b7c9d0e4f2a1b7c9d0e4f2a1b7c9d0e4f2a1b7c9d0e4f2a1b7c9d0e4f2a";
    private static final String IMAGE_ID = "sha256:" + "ab".repeat(32);
    private static final Instant AT = Instant.parse("2026-11-30T10:15:30.123456789Z");

    private final DockerEvents events = new DockerEvents();
    private long offset;

    private List<DockerEvents.Message> map(Object event) {
        return events.map(new History.Recorded(++offset, "Entity|x", AT, event));
    }

    private static ContainerConfig config(Map<String, String> labels, String stopSignal) {
        return new ContainerConfig(List.of("sh"), List.of(), List.of(), "", "", "", labels, false, false, stopSignal,
                RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of(), List.of());
    }

    private void create() {
        map(new ContainerEntity.Created(ID, "/web", IMAGE_ID, "busybox", config(Map.of("tier", "front"), ""), AT));
    }

    private static List<String> actions(List<DockerEvents.Message> messages) {
        return messages.stream().map(DockerEvents.Message::action).toList();
    }

    @Test
    void shouldMapCreatedToCreateWithNameImageAndLabels() {
        List<DockerEvents.Message> messages =
                map(new ContainerEntity.Created(ID, "/web", IMAGE_ID, "busybox", config(Map.of("tier", "front"), ""), AT));

        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("container");
            assertThat(m.action()).isEqualTo("create");
            assertThat(m.actorId()).isEqualTo(ID);
            assertThat(m.attributes()).containsExactly(Map.entry("image", "busybox"), Map.entry("name", "web"),
                    Map.entry("tier", "front"));
            assertThat(m.time()).isEqualTo(AT);
            assertThat(m.offset()).isEqualTo(1);
        });
    }

    @Test
    void shouldMapStartedToStartWithTheContainersAttributes() {
        create();

        assertThat(map(new ContainerEntity.Started(ID, 42, AT))).singleElement()
                .satisfies(m -> assertThat(m.action()).isEqualTo("start"))
                .satisfies(m -> assertThat(m.attributes()).containsEntry("name", "web").containsEntry("tier", "front"));
    }

    @Test
    void shouldMapAnExecSessionsFactsToExecCreateStartAndDie() {
        create();
        List<String> command = List.of("sh", "-c", "ls /");

        List<DockerEvents.Message> messages = new java.util.ArrayList<>();
        messages.addAll(map(new ContainerEntity.ExecCreated(ID, "e1", command, AT)));
        messages.addAll(map(new ContainerEntity.ExecStarted(ID, "e1", command, AT)));
        messages.addAll(map(new ContainerEntity.ExecDied(ID, "e1", 2, AT)));

        assertThat(actions(messages)).containsExactly("exec_create: sh -c ls /", "exec_start: sh -c ls /", "exec_die");
        assertThat(messages).allSatisfy(m -> assertThat(m.attributes()).containsEntry("execID", "e1")
                .containsEntry("name", "web").containsEntry("image", "busybox"));
        assertThat(messages.get(2).attributes()).containsEntry("exitCode", "2");
    }

    @Test
    void shouldMapStoppedToKillDieStopAsDockerdEmitsThem() {
        map(new ContainerEntity.Created(ID, "/web", IMAGE_ID, "busybox", config(Map.of(), "SIGQUIT"), AT));
        map(new ContainerEntity.Started(ID, 42, AT));

        List<DockerEvents.Message> messages = map(new ContainerEntity.Stopped(ID, 143, AT));

        assertThat(actions(messages)).containsExactly("kill", "die", "stop");
        assertThat(messages.get(0).attributes()).containsEntry("signal", "3");
        assertThat(messages.get(1).attributes()).containsEntry("exitCode", "143");
        assertThat(messages.get(2).attributes()).doesNotContainKeys("exitCode", "signal");
    }

    @Test
    void shouldMapDiedToDieWithItsExitCode() {
        create();

        List<DockerEvents.Message> messages = map(new ContainerEntity.Died(ID, 3, false, AT));

        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.action()).isEqualTo("die");
            assertThat(m.attributes()).containsEntry("exitCode", "3").containsEntry("name", "web");
        });
    }

    @Test
    void shouldPrecedeTheDieOfAnOomKilledContainerWithOom() {
        create();

        assertThat(actions(map(new ContainerEntity.Died(ID, 137, true, AT)))).containsExactly("oom", "die");
    }

    @Test
    void shouldMapARestartByPolicyAfterAnExitToStartAsDockerd() {
        create();
        map(new ContainerEntity.Started(ID, 42, AT));
        map(new ContainerEntity.Died(ID, 1, false, AT));

        assertThat(actions(map(new ContainerEntity.Restarted(ID, 43, AT)))).containsExactly("start");
    }

    @Test
    void shouldPrecedeTheRestartOfARunningContainerWithADieWithoutExitCode() {
        create();
        map(new ContainerEntity.Started(ID, 42, AT));

        List<DockerEvents.Message> messages = map(new ContainerEntity.Restarted(ID, 43, AT));

        assertThat(actions(messages)).containsExactly("die", "start");
        assertThat(messages.get(0).attributes()).doesNotContainKey("exitCode");
    }

    @Test
    void shouldMapPauseUnpauseUpdateAndRemove() {
        create();

        assertThat(actions(map(new ContainerEntity.Paused(ID, AT)))).containsExactly("pause");
        assertThat(actions(map(new ContainerEntity.Unpaused(ID, AT)))).containsExactly("unpause");
        assertThat(actions(map(new ContainerEntity.Updated(ID, ContainerResources.UNLIMITED, RestartPolicy.NO, AT))))
                .containsExactly("update");
        assertThat(map(new ContainerEntity.Removed(ID, false, AT))).singleElement()
                .satisfies(m -> assertThat(m.action()).isEqualTo("destroy"))
                .satisfies(m -> assertThat(m.attributes()).containsEntry("name", "web"));
    }

    @Test
    void shouldPrecedeTheDestroyOfARunningContainerWithItsKillAndDie() {
        create();
        map(new ContainerEntity.Started(ID, 42, AT));

        List<DockerEvents.Message> messages = map(new ContainerEntity.Removed(ID, true, AT));

        assertThat(actions(messages)).containsExactly("kill", "die", "destroy");
        assertThat(messages.get(0).attributes()).containsEntry("signal", "9");
        assertThat(messages.get(1).attributes()).containsEntry("exitCode", "137");
    }

    @Test
    void shouldMapRenamedToRenameWithTheOldNameAndUseTheNewNameAfterwards() {
        create();

        List<DockerEvents.Message> rename = map(new ContainerEntity.Renamed(ID, "/web", "/api", AT));
        List<DockerEvents.Message> start = map(new ContainerEntity.Started(ID, 42, AT));

        assertThat(rename).singleElement().satisfies(m -> {
            assertThat(m.action()).isEqualTo("rename");
            assertThat(m.attributes()).containsEntry("oldName", "/web").containsEntry("name", "api");
        });
        assertThat(start.get(0).attributes()).containsEntry("name", "api").doesNotContainKey("oldName");
    }

    @Test
    void shouldAskForTheFactsOfAContainerItHasNotMetAndUseWhatItLearns() {
        History.Recorded started = new History.Recorded(7, "Container|" + ID, AT, new ContainerEntity.Started(ID, 1, AT));
        assertThat(events.needsContainer(started)).isTrue();
        ContainerEntity.State state = new ContainerEntity.State(ID, ContainerEntity.Status.RUNNING, "/db", IMAGE_ID,
                "busybox:1", config(Map.of("k", "v"), ""), 1, 0, false, 0, AT, AT, Instant.EPOCH);

        events.learn(state);

        assertThat(events.needsContainer(started)).isFalse();
        assertThat(events.map(started).get(0).attributes()).containsExactly(Map.entry("image", "busybox:1"),
                Map.entry("k", "v"), Map.entry("name", "db"));
    }

    @Test
    void shouldMapTheEventsOfARemovedUnknownContainerWithoutAttributes() {
        events.learnUnknown(ID);

        assertThat(map(new ContainerEntity.Removed(ID, true, AT))).singleElement()
                .satisfies(m -> assertThat(m.attributes()).isEmpty());
    }

    @Test
    void shouldNotAskForTheFactsOfACreation() {
        assertThat(events.needsContainer(new History.Recorded(1, "Container|" + ID, AT,
                new ContainerEntity.Created(ID, "/web", IMAGE_ID, "busybox", config(Map.of(), ""), AT)))).isFalse();
    }

    @Test
    void shouldMapImageEventsWithNameAndLabels() {
        ImageConfig config = new ImageConfig("amd64", "linux", List.of("sh"), List.of(), List.of(), "", "",
                Map.of("maintainer", "keel"), List.of(), "", List.of());

        DockerEvents.Message imported = map(new ImageEntity.Imported(IMAGE_ID, config, 10, AT, AT)).get(0);
        DockerEvents.Message tagged = map(new ImageEntity.Tagged(IMAGE_ID, "busybox:latest", AT)).get(0);
        DockerEvents.Message untagged = map(new ImageEntity.Untagged(IMAGE_ID, "busybox:latest", AT)).get(0);
        DockerEvents.Message deleted = map(new ImageEntity.Deleted(IMAGE_ID, false, AT)).get(0);

        assertThat(List.of(imported, tagged, untagged, deleted)).extracting(DockerEvents.Message::action)
                .containsExactly("import", "tag", "untag", "delete");
        assertThat(imported.type()).isEqualTo("image");
        assertThat(imported.attributes()).containsExactly(Map.entry("maintainer", "keel"), Map.entry("name", IMAGE_ID));
        assertThat(tagged.attributes()).containsEntry("name", "busybox:latest");
        assertThat(untagged.attributes()).containsEntry("name", IMAGE_ID);
        assertThat(deleted.attributes()).containsExactly(Map.entry("name", IMAGE_ID));
    }

    @Test
    void shouldMapNetworkAndVolumeEvents() {
        String net = "n".repeat(64);
        NetworkSpec spec = new NetworkSpec("backend", "bridge", Map.of(), Map.of(), NetworkSpec.Ipam.DEFAULT, false,
                false, false);

        assertThat(map(new NetworkEntity.Created(net, spec, AT))).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("network");
            assertThat(m.action()).isEqualTo("create");
            assertThat(m.attributes()).containsExactly(Map.entry("name", "backend"), Map.entry("type", "bridge"));
        });
        assertThat(map(new NetworkEntity.Attached(net, ID,
                new NetworkEntity.Endpoint("ep", "172.18.0.2/16", "", "", List.of()), AT)).get(0))
                .satisfies(m -> assertThat(m.action()).isEqualTo("connect"))
                .satisfies(m -> assertThat(m.attributes()).containsEntry("container", ID).containsEntry("name", "backend"));
        assertThat(actions(map(new NetworkEntity.Detached(net, ID, AT)))).containsExactly("disconnect");
        assertThat(actions(map(new NetworkEntity.Removed(net, AT)))).containsExactly("destroy");
        assertThat(map(new VolumeEntity.Created("data", "local", Map.of(), Map.of(), AT))).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo("volume"))
                .satisfies(m -> assertThat(m.attributes()).containsExactly(Map.entry("driver", "local")));
        assertThat(actions(map(new VolumeEntity.Attached("data", ID, AT)))).containsExactly("mount");
        assertThat(actions(map(new VolumeEntity.Detached("data", ID, AT)))).containsExactly("unmount");
        assertThat(actions(map(new VolumeEntity.Removed("data", false, AT)))).containsExactly("destroy");
    }

    @Test
    void shouldMapHostEventsToNothing() {
        assertThat(map(new HostEntity.Up("host-1", AT))).isEmpty();
    }

    @Test
    void shouldWriteSignalNamesAsNumbers() {
        assertThat(DockerEvents.signalNumber("")).isEqualTo("15");
        assertThat(DockerEvents.signalNumber("SIGKILL")).isEqualTo("9");
        assertThat(DockerEvents.signalNumber("HUP")).isEqualTo("1");
        assertThat(DockerEvents.signalNumber("10")).isEqualTo("10");
    }

    @Test
    void shouldWriteLowerCaseAndRealTimeSignalNamesAsNumbers() {
        assertThat(DockerEvents.signalNumber("sigusr2")).isEqualTo("12");
        assertThat(DockerEvents.signalNumber("SIGRTMIN")).isEqualTo("34");
        assertThat(DockerEvents.signalNumber("RTMIN+2")).isEqualTo("36");
        assertThat(DockerEvents.signalNumber("SIGRTMAX-1")).isEqualTo("63");
    }

    @Test
    void shouldMapAUsersKillToKillWithTheSignalsNumberAndItsExitToDie() {
        create();
        map(new ContainerEntity.Started(ID, 42, AT));

        List<DockerEvents.Message> kill = map(new ContainerEntity.Signalled(ID, "KILL", AT));
        List<DockerEvents.Message> exit = map(new ContainerEntity.Died(ID, 137, false, AT));

        assertThat(kill).singleElement().satisfies(m -> {
            assertThat(m.action()).isEqualTo("kill");
            assertThat(m.attributes()).containsEntry("signal", "9").containsEntry("name", "web");
        });
        assertThat(actions(exit)).containsExactly("die");
    }

    @Test
    void shouldMapAUsersRestartOfARunningContainerAsDockerdKillDieStopStartRestart() {
        create();
        map(new ContainerEntity.Started(ID, 42, AT));

        List<String> restart = new ArrayList<>(actions(map(new ContainerEntity.Stopped(ID, 143, AT))));
        restart.addAll(actions(map(new ContainerEntity.Started(ID, 43, AT))));
        restart.addAll(actions(map(new ContainerEntity.RestartedByUser(ID, AT))));

        assertThat(restart).containsExactly("kill", "die", "stop", "start", "restart");
    }

    @Test
    void shouldMapAUsersRestartToRestartWithTheContainersAttributes() {
        create();

        assertThat(map(new ContainerEntity.RestartedByUser(ID, AT))).singleElement()
                .satisfies(m -> assertThat(m.action()).isEqualTo("restart"))
                .satisfies(m -> assertThat(m.attributes()).containsEntry("name", "web").doesNotContainKeys("signal"));
    }
}
