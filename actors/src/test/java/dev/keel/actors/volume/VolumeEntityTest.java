package dev.keel.actors.volume;

import static dev.keel.actors.EntityTestKits.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.Confirmation;
import dev.keel.actors.EntityTestKits;
import dev.keel.actors.Rejection;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VolumeEntityTest {

    private static final String NAME = "pgdata";

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<VolumeEntity.Command, VolumeEntity.Event, VolumeEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("VolumeEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = entityNamed(NAME);
        kit.clear();
    }

    private EventSourcedBehaviorTestKit<VolumeEntity.Command, VolumeEntity.Event, VolumeEntity.State> entityNamed(String name) {
        return EntityTestKits.entityTestKit(testKit, VolumeEntity.create(name, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
    }

    private CommandResultWithReply<VolumeEntity.Command, VolumeEntity.Event, VolumeEntity.State, Confirmation> create(String driver) {
        return kit.runCommand(r -> new VolumeEntity.Create(driver, Map.of("type", "tmpfs"), Map.of(), r));
    }

    private static void assertRejected(CommandResultWithReply<?, ?, ?, Confirmation> result, Rejection reason, String message) {
        assertThat(result.reply()).isEqualTo(Confirmation.rejected(reason, message));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordCreated() {
        var result = create("local");

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new VolumeEntity.Created(NAME, "local", Map.of("type", "tmpfs"), Map.of(), NOW));
    }

    @Test
    void shouldTreatCreateWithSameDriverAsNoOp() {
        create("local");

        var result = create("local");

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRejectCreateWithOtherDriver() {
        create("local");

        assertRejected(create("nfs"), Rejection.CONFLICT, "create pgdata: volume name must be unique (it exists with driver local)");
    }

    @Test
    void shouldRejectCreateWithInvalidName() {
        var invalid = entityNamed("/bad");
        invalid.clear();

        var result = invalid.<Confirmation>runCommand(r -> new VolumeEntity.Create("local", Map.of(), Map.of(), r));

        assertRejected(result, Rejection.INVALID_ARGUMENT, "create /bad: includes invalid characters for a local volume name,"
                + " only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
    }

    @Test
    void shouldRecordAttachedAndDetached() {
        create("local");

        var attached = kit.<Confirmation>runCommand(r -> new VolumeEntity.Attach("c1", r));
        var detached = kit.<Confirmation>runCommand(r -> new VolumeEntity.Detach("c1", r));

        assertThat(attached.event()).isEqualTo(new VolumeEntity.Attached(NAME, "c1", NOW));
        assertThat(detached.event()).isEqualTo(new VolumeEntity.Detached(NAME, "c1", NOW));
        assertThat(detached.state().isInUse()).isFalse();
    }

    @Test
    void shouldRejectAttachToUnknownVolume() {
        var result = kit.<Confirmation>runCommand(r -> new VolumeEntity.Attach("c1", r));

        assertRejected(result, Rejection.NOT_FOUND, "get pgdata: no such volume");
    }

    @Test
    void shouldRejectRemoveWhileInUseEvenWithForce() {
        create("local");
        kit.<Confirmation>runCommand(r -> new VolumeEntity.Attach("c1", r));
        kit.<Confirmation>runCommand(r -> new VolumeEntity.Attach("c2", r));

        var result = kit.<Confirmation>runCommand(r -> new VolumeEntity.Remove(true, r));

        assertRejected(result, Rejection.CONFLICT, "remove pgdata: volume is in use - [c1, c2]");
    }

    @Test
    void shouldRejectRemoveOfUnknownVolumeWithoutForce() {
        var result = kit.<Confirmation>runCommand(r -> new VolumeEntity.Remove(false, r));

        assertRejected(result, Rejection.NOT_FOUND, "get pgdata: no such volume");
    }

    @Test
    void shouldAcceptForcedRemoveOfUnknownVolumeWithoutEvent() {
        var result = kit.<Confirmation>runCommand(r -> new VolumeEntity.Remove(true, r));

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordRemovedAndAllowCreatingTheNameAgain() {
        create("local");

        var removed = kit.<Confirmation>runCommand(r -> new VolumeEntity.Remove(false, r));
        var recreated = create("local");

        assertThat(removed.event()).isEqualTo(new VolumeEntity.Removed(NAME, false, NOW));
        assertThat(recreated.event()).isInstanceOf(VolumeEntity.Created.class);
        assertThat(recreated.state().isActive()).isTrue();
    }

    @Test
    void shouldRecoverStateAfterRestart() {
        create("local");
        kit.<Confirmation>runCommand(r -> new VolumeEntity.Attach("c1", r));

        var restarted = kit.restart();

        assertThat(restarted.state().usedBy()).containsExactly("c1");
        assertThat(restarted.state().driver()).isEqualTo("local");
    }
}
