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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The facts Docker's {@code kill} and {@code restart} events are made of: a user's signal and a user's restart. */
class ContainerUserKillAndRestartTest {

    private static final String ID = "c0ffee";
    private static final ContainerConfig CONFIG = new ContainerConfig(List.of("sleep", "60"), List.of(), List.of(),
            "/", "", "web", Map.of(), false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED,
            false, "bridge", List.of(), List.of());

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<ContainerEntity.Command, ContainerEntity.Event, ContainerEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("ContainerUserKillAndRestartTest");
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
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Create("web", "sha256:abc", "busybox", CONFIG, r));
    }

    @Test
    void shouldRecordASignalSentToARunningContainerWithoutChangingItsState() {
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));
        ContainerEntity.State before = kit.getState();

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Signal("SIGHUP", r));

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new ContainerEntity.Signalled(ID, "SIGHUP", NOW));
        assertThat(result.state()).isEqualTo(before);
    }

    @Test
    void shouldRecordASignalSentToAPausedContainer() {
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));
        kit.<Confirmation>runCommand(ContainerEntity.Pause::new);

        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Signal("KILL", r));

        assertThat(result.event()).isEqualTo(new ContainerEntity.Signalled(ID, "KILL", NOW));
    }

    @Test
    void shouldRejectASignalToAContainerThatIsNotRunning() {
        var result = kit.<Confirmation>runCommand(r -> new ContainerEntity.Signal("KILL", r));

        assertThat(result.reply()).isEqualTo(Confirmation.rejected(Rejection.CONFLICT, "Container " + ID + " is not running"));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordAUserRestartEvenWhenTheNewProcessHasAlreadyExited() {
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Start(100, r));
        kit.<Confirmation>runCommand(r -> new ContainerEntity.ReportExit(0, false, r));
        ContainerEntity.State before = kit.getState();

        var result = kit.<Confirmation>runCommand(ContainerEntity.ConfirmUserRestart::new);

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new ContainerEntity.RestartedByUser(ID, NOW));
        assertThat(result.state()).isEqualTo(before);
    }

    @Test
    void shouldRejectAUserRestartOfARemovedContainer() {
        kit.<Confirmation>runCommand(r -> new ContainerEntity.Remove(false, r));

        var result = kit.<Confirmation>runCommand(ContainerEntity.ConfirmUserRestart::new);

        assertThat(result.reply()).isEqualTo(Confirmation.rejected(Rejection.NOT_FOUND, "No such container: " + ID));
        assertThat(result.hasNoEvents()).isTrue();
    }
}
