package dev.keel.actors.container;

import static dev.keel.actors.EntityTestKits.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.Confirmation;
import dev.keel.actors.EntityTestKits;
import dev.keel.actors.Rejection;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContainerEntityTest {

    private static final String ID = "c0ffee";
    private static final String IMAGE_ID = "sha256:abc";
    private static final ContainerConfig CONFIG = new ContainerConfig(List.of("sleep", "60"), List.of(), List.of("A=1"),
            "/", "", "web", Map.of("tier", "front"), false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED,
            false, "bridge", List.of(), List.of());

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<ContainerEntity.Command, ContainerEntity.Event, ContainerEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("ContainerEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = EntityTestKits.entityTestKit(testKit,
                ContainerEntity.create(ID, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
        kit.clear();
    }

    private CommandResultWithReply<ContainerEntity.Command, ContainerEntity.Event, ContainerEntity.State, Confirmation> create() {
        return kit.runCommand(r -> new ContainerEntity.Create("web", IMAGE_ID, "busybox:latest", CONFIG, r));
    }

    private void start() {
        create();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));
    }

    private static void assertRejected(CommandResultWithReply<?, ?, ?, Confirmation> result, Rejection reason, String message) {
        assertThat(result.reply()).isEqualTo(Confirmation.rejected(reason, message));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordCreatedWithCanonicalName() {
        var result = create();

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new ContainerEntity.Created(ID, "/web", IMAGE_ID, "busybox:latest", CONFIG, NOW));
        assertThat(result.state().status()).isEqualTo(ContainerEntity.Status.CREATED);
    }

    @Test
    void shouldRejectCreateWithInvalidName() {
        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Create("-bad name", IMAGE_ID, "", CONFIG, r));

        assertRejected(result, Rejection.INVALID_ARGUMENT,
                "Invalid container name (-bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }

    @Test
    void shouldRejectCreateOfAutoRemoveContainerWithRestartPolicy() {
        ContainerConfig config = new ContainerConfig(List.of(), List.of(), List.of(), "", "", "", Map.of(), false, false,
                "", new RestartPolicy(RestartPolicy.Mode.ALWAYS, 0), ContainerResources.UNLIMITED, true, "", List.of(),
                List.of());

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Create("web", IMAGE_ID, "", config, r));

        assertRejected(result, Rejection.INVALID_ARGUMENT, "can't create 'AutoRemove' container with restart policy");
    }

    @Test
    void shouldRejectCreateTwice() {
        create();

        assertRejected(create(), Rejection.CONFLICT, "Container c0ffee already exists");
    }

    @Test
    void shouldRecordStartedWithPid() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new ContainerEntity.Started(ID, 100, NOW));
        assertThat(result.state().isRunning()).isTrue();
        assertThat(result.state().pid()).isEqualTo(100);
    }

    @Test
    void shouldRejectStartWhenNotCreated() {
        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));

        assertRejected(result, Rejection.NOT_FOUND, "No such container: c0ffee");
    }

    @Test
    void shouldRejectStartWhenRemoved() {
        create();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));

        assertRejected(result, Rejection.NOT_FOUND, "No such container: c0ffee");
    }

    @Test
    void shouldRejectStartWhenAlreadyRunning() {
        start();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(101, r));

        assertRejected(result, Rejection.NOT_MODIFIED, "Container c0ffee is already started");
    }

    @Test
    void shouldRejectStartWhenPaused() {
        start();
        kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(101, r));

        assertRejected(result, Rejection.CONFLICT, "cannot start a paused container, try unpause instead");
    }

    @Test
    void shouldRecordPausedAndUnpaused() {
        start();

        var paused = kit.<Confirmation>runCommand(ContainerEntity.Pause::new);
        var unpaused = kit.<Confirmation>runCommand(ContainerEntity.Unpause::new);

        assertThat(paused.event()).isEqualTo(new ContainerEntity.Paused(ID, NOW));
        assertThat(unpaused.event()).isEqualTo(new ContainerEntity.Unpaused(ID, NOW));
        assertThat(unpaused.reply()).isEqualTo(Confirmation.accepted());
        assertThat(unpaused.state().isRunning()).isTrue();
    }

    @Test
    void shouldRejectPauseWhenNotRunning() {
        create();

        var result = kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        assertRejected(result, Rejection.CONFLICT, "Container c0ffee is not running");
    }

    @Test
    void shouldRejectPauseWhenAlreadyPaused() {
        start();
        kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        var result = kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        assertRejected(result, Rejection.CONFLICT, "Container c0ffee is already paused");
    }

    @Test
    void shouldRejectUnpauseWhenNotPaused() {
        start();

        var result = kit.<Confirmation>runCommand(ContainerEntity.Unpause::new);

        assertRejected(result, Rejection.CONFLICT, "Container c0ffee is not paused");
    }

    @Test
    void shouldRecordStoppedWithExitCode() {
        start();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Stop(143, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Stopped(ID, 143, NOW));
        assertThat(result.state().status()).isEqualTo(ContainerEntity.Status.EXITED);
        assertThat(result.state().exitCode()).isEqualTo(143);
        assertThat(result.state().pid()).isZero();
    }

    @Test
    void shouldRejectStopWhenNotRunning() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Stop(0, r));

        assertRejected(result, Rejection.NOT_MODIFIED, "Container c0ffee is already stopped");
    }

    @Test
    void shouldRecordDiedWhenProcessExitsOnItsOwn() {
        start();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.ReportExit(137, true, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Died(ID, 137, true, NOW));
        assertThat(result.state().oomKilled()).isTrue();
        assertThat(result.state().finishedAt()).isEqualTo(NOW);
    }

    @Test
    void shouldRejectExitReportWhenNotRunning() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.ReportExit(1, false, r));

        assertRejected(result, Rejection.CONFLICT, "Container c0ffee is not running");
    }

    @Test
    void shouldRecordRestartedAndCountIt() {
        start();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Stop(0, r));

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Restart(200, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Restarted(ID, 200, NOW));
        assertThat(result.state().restartCount()).isEqualTo(1);
        assertThat(result.state().pid()).isEqualTo(200);
    }

    @Test
    void shouldRecordRenamed() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Rename("/web", "www", r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Renamed(ID, "/web", "/www", NOW));
        assertThat(result.state().name()).isEqualTo("/www");
    }

    @Test
    void shouldRejectRenameToCurrentName() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Rename("/web", "web", r));

        assertRejected(result, Rejection.INVALID_ARGUMENT, "Renaming a container with the same name as its current name");
    }

    @Test
    void shouldRejectRenameWhenNameChangedMeanwhile() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Rename("/old", "/www", r));

        assertRejected(result, Rejection.CONFLICT, "Container c0ffee is no longer named /old but /web");
    }

    @Test
    void shouldRecordUpdatedResources() {
        start();
        ContainerResources resources = new ContainerResources(64L << 20, 0, 0, 0, 50);
        RestartPolicy policy = new RestartPolicy(RestartPolicy.Mode.ON_FAILURE, 5);

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Update(resources, policy, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Updated(ID, resources, policy, NOW));
        assertThat(result.state().config().resources()).isEqualTo(resources);
        assertThat(result.state().config().restartPolicy()).isEqualTo(policy);
    }

    @Test
    void shouldRejectUpdateBelowMinimumMemory() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Update(
                new ContainerResources(1024, 0, 0, 0, 0), RestartPolicy.NO, r));

        assertRejected(result, Rejection.INVALID_ARGUMENT, "Minimum memory limit allowed is 6MB");
    }

    @Test
    void shouldRejectRemoveOfRunningContainerWithoutForce() {
        start();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        assertRejected(result, Rejection.CONFLICT, "You cannot remove a running container c0ffee."
                + " Stop the container before attempting removal or force remove");
    }

    @Test
    void shouldRejectRemoveOfPausedContainerWithoutForce() {
        start();
        kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        assertRejected(result, Rejection.CONFLICT, "You cannot remove a paused container c0ffee."
                + " Unpause and then stop the container before attempting removal or force remove");
    }

    @Test
    void shouldRecordForcedRemoveOfRunningContainer() {
        start();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(true, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Removed(ID, true, NOW));
        assertThat(result.state().exists()).isFalse();
    }

    @Test
    void shouldRejectRemoveTwice() {
        create();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        assertRejected(result, Rejection.NOT_FOUND, "No such container: c0ffee");
    }

    @Test
    void shouldRecoverStateAfterRestart() {
        start();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Rename("/web", "/www", r));
        kit.<Confirmation>runCommand(ContainerEntity.Pause::new);
        ContainerEntity.State before = kit.<ContainerEntity.State>runCommand(ContainerEntity.Get::new).reply();

        var restarted = kit.restart();

        assertThat(restarted.state()).isEqualTo(before);
        assertThat(restarted.state().status()).isEqualTo(ContainerEntity.Status.PAUSED);
        assertThat(restarted.state().name()).isEqualTo("/www");
    }

    @Test
    void shouldRecordANetworkConnectionInTheConfig() {
        create();
        NetworkAttachment db = new NetworkAttachment("n1", List.of("db"), "", "");

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.ConnectNetwork(db, r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.NetworkConnected(ID, db, NOW));
        assertThat(result.state().config().network("n1")).contains(db);
    }

    @Test
    void shouldRejectConnectingToTheSameNetworkTwice() {
        create();
        NetworkAttachment db = new NetworkAttachment("n1", List.of(), "", "");
        kit.<Confirmation>runCommand(r -> new ContainerEntity.ConnectNetwork(db, r));

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.ConnectNetwork(db, r));

        assertRejected(result, Rejection.FORBIDDEN, "endpoint with name web already exists in network n1");
    }

    @Test
    void shouldForgetADisconnectedNetwork() {
        create();
        kit.<Confirmation>runCommand(r -> new ContainerEntity.ConnectNetwork(new NetworkAttachment("n1", List.of(), "", ""), r));

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.DisconnectNetwork("n1", r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.NetworkDisconnected(ID, "n1", NOW));
        assertThat(result.state().config().network("n1")).isEmpty();
    }

    @Test
    void shouldRejectDisconnectingFromANetworkItIsNotOn() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.DisconnectNetwork("n9", r));

        assertRejected(result, Rejection.CONFLICT, "container " + ID + " is not connected to network n9");
    }
}
