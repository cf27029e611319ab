package dev.keel.actors.host;

import static dev.keel.actors.EntityTestKits.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.Confirmation;
import dev.keel.actors.EntityTestKits;
import dev.keel.actors.Rejection;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostEntityTest {

    private static final String ID = "h1";
    private static final HostEntity.HostResources RESOURCES = new HostEntity.HostResources(2, 8L << 30);

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<HostEntity.Command, HostEntity.Event, HostEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("HostEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = EntityTestKits.entityTestKit(testKit, HostEntity.create(ID, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
        kit.clear();
    }

    private CommandResultWithReply<HostEntity.Command, HostEntity.Event, HostEntity.State, Confirmation> register(String address) {
        return kit.runCommand(r -> new HostEntity.Register("node-1", address, RESOURCES, r));
    }

    private static void assertRejected(CommandResultWithReply<?, ?, ?, Confirmation> result, Rejection reason, String message) {
        assertThat(result.reply()).isEqualTo(Confirmation.rejected(reason, message));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordRegistered() {
        var result = register("10.0.0.1:2552");

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new HostEntity.Registered(ID, "node-1", "10.0.0.1:2552", RESOURCES, NOW));
        assertThat(result.state().status()).isEqualTo(HostEntity.Status.REGISTERED);
    }

    @Test
    void shouldRejectRegistrationWithoutAddress() {
        assertRejected(register(""), Rejection.INVALID_ARGUMENT, "a host needs a name and an address");
    }

    @Test
    void shouldKeepStatusWhenRegisteredAgain() {
        register("10.0.0.1:2552");
        kit.<Confirmation>runCommand(HostEntity.MarkUp::new);

        var result = register("10.0.0.9:2552");

        assertThat(result.state().isUp()).isTrue();
        assertThat(result.state().address()).isEqualTo("10.0.0.9:2552");
    }

    @Test
    void shouldRecordUpAndDown() {
        register("10.0.0.1:2552");

        var up = kit.<Confirmation>runCommand(HostEntity.MarkUp::new);
        var down = kit.<Confirmation>runCommand(r -> new HostEntity.MarkDown("unreachable", r));

        assertThat(up.event()).isEqualTo(new HostEntity.Up(ID, NOW));
        assertThat(down.event()).isEqualTo(new HostEntity.Down(ID, "unreachable", NOW));
        assertThat(down.state().downReason()).isEqualTo("unreachable");
    }

    @Test
    void shouldTreatRepeatedUpAsNoOp() {
        register("10.0.0.1:2552");
        kit.<Confirmation>runCommand(HostEntity.MarkUp::new);

        var result = kit.<Confirmation>runCommand(HostEntity.MarkUp::new);

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRejectUpOfUnregisteredHost() {
        var result = kit.<Confirmation>runCommand(HostEntity.MarkUp::new);

        assertRejected(result, Rejection.NOT_FOUND, "No such host: h1");
    }

    @Test
    void shouldRecoverStateAfterRestart() {
        register("10.0.0.1:2552");
        kit.<Confirmation>runCommand(HostEntity.MarkUp::new);
        kit.<Confirmation>runCommand(r -> new HostEntity.MarkDown("partitioned", r));

        var restarted = kit.restart();

        assertThat(restarted.state().isDown()).isTrue();
        assertThat(restarted.state().downReason()).isEqualTo("partitioned");
    }
}
