package dev.keel.actors.network;

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

class NetworkEntityTest {

    private static final String ID = "n1";
    private static final NetworkSpec SPEC = new NetworkSpec("front", "bridge", Map.of(), Map.of("tier", "front"),
            new NetworkSpec.Ipam("default", List.of(new NetworkSpec.Pool("172.20.0.0/16", "", "172.20.0.1", Map.of())), Map.of()),
            false, true, false);

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<NetworkEntity.Command, NetworkEntity.Event, NetworkEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("NetworkEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = EntityTestKits.entityTestKit(testKit, NetworkEntity.create(ID, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
        kit.clear();
    }

    private CommandResultWithReply<NetworkEntity.Command, NetworkEntity.Event, NetworkEntity.State, Confirmation> create() {
        return kit.runCommand(r -> new NetworkEntity.Create(SPEC, r));
    }

    private CommandResultWithReply<NetworkEntity.Command, NetworkEntity.Event, NetworkEntity.State, Confirmation> attach(
            String containerId, String address) {
        return kit.runCommand(r -> new NetworkEntity.Attach(containerId, endpoint(containerId, address), r));
    }

    private static NetworkEntity.Endpoint endpoint(String containerId, String address) {
        return new NetworkEntity.Endpoint("ep-" + containerId, address, "", "", List.of());
    }

    private static void assertRejected(CommandResultWithReply<?, ?, ?, Confirmation> result, Rejection reason, String message) {
        assertThat(result.reply()).isEqualTo(Confirmation.rejected(reason, message));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordCreated() {
        var result = create();

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new NetworkEntity.Created(ID, SPEC, NOW));
        assertThat(result.state().isActive()).isTrue();
    }

    @Test
    void shouldRejectCreateWithoutName() {
        var spec = new NetworkSpec("", "bridge", Map.of(), Map.of(), NetworkSpec.Ipam.DEFAULT, false, false, false);

        var result = kit.<Confirmation>runCommand(r -> new NetworkEntity.Create(spec, r));

        assertRejected(result, Rejection.INVALID_ARGUMENT, "network name must not be empty");
    }

    @Test
    void shouldRejectCreateTwice() {
        create();

        assertRejected(create(), Rejection.CONFLICT, "network with id n1 already exists");
    }

    @Test
    void shouldRecordAttachedEndpoint() {
        create();

        var result = attach("c1", "172.20.0.2/16");

        assertThat(result.event()).isEqualTo(new NetworkEntity.Attached(ID, "c1", endpoint("c1", "172.20.0.2/16"), NOW));
        assertThat(result.state().endpoints()).containsEntry("c1", endpoint("c1", "172.20.0.2/16"));
    }

    @Test
    void shouldRejectAttachTwice() {
        create();
        attach("c1", "172.20.0.2/16");

        assertRejected(attach("c1", "172.20.0.3/16"), Rejection.CONFLICT, "endpoint with name c1 already exists in network front");
    }

    @Test
    void shouldRejectAttachWithAddressInUse() {
        create();
        attach("c1", "172.20.0.2/16");

        assertRejected(attach("c2", "172.20.0.2/16"), Rejection.CONFLICT, "Address already in use: 172.20.0.2/16");
    }

    @Test
    void shouldRejectAttachToUnknownNetwork() {
        assertRejected(attach("c1", ""), Rejection.NOT_FOUND, "No such network: n1");
    }

    @Test
    void shouldRecordDetached() {
        create();
        attach("c1", "172.20.0.2/16");

        var result = kit.<Confirmation>runCommand(r -> new NetworkEntity.Detach("c1", r));

        assertThat(result.event()).isEqualTo(new NetworkEntity.Detached(ID, "c1", NOW));
        assertThat(result.state().hasActiveEndpoints()).isFalse();
    }

    @Test
    void shouldRejectDetachOfContainerNotConnected() {
        create();

        var result = kit.<Confirmation>runCommand(r -> new NetworkEntity.Detach("c9", r));

        assertRejected(result, Rejection.CONFLICT, "container c9 is not connected to network front");
    }

    @Test
    void shouldRejectRemoveWhileAttached() {
        create();
        attach("c1", "");

        var result = kit.<Confirmation>runCommand(NetworkEntity.Remove::new);

        assertRejected(result, Rejection.FORBIDDEN, "error while removing network: network front id n1 has active endpoints");
    }

    @Test
    void shouldRecordRemovedAndRefuseLaterCommands() {
        create();

        var removed = kit.<Confirmation>runCommand(NetworkEntity.Remove::new);
        var attachAfter = attach("c1", "");

        assertThat(removed.event()).isEqualTo(new NetworkEntity.Removed(ID, NOW));
        assertRejected(attachAfter, Rejection.NOT_FOUND, "No such network: n1");
    }

    @Test
    void shouldRecoverStateAfterRestart() {
        create();
        attach("c1", "172.20.0.2/16");
        attach("c2", "172.20.0.3/16");

        var restarted = kit.restart();

        assertThat(restarted.state().endpoints()).containsOnlyKeys("c1", "c2");
        assertThat(restarted.state().spec()).isEqualTo(SPEC);
    }
}
