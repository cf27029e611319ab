package dev.keel.actors.name;

import static dev.keel.actors.EntityTestKits.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.EntityTestKits;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NameEntityTest {

    private static final String KEY = "container:/web";

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<NameEntity.Command, NameEntity.Event, NameEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("NameEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = EntityTestKits.entityTestKit(testKit, NameEntity.create(KEY, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
        kit.clear();
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<NameEntity.Command, NameEntity.Event, NameEntity.State, NameEntity.Reservation> reserve(String owner) {
        return kit.runCommand(r -> new NameEntity.Reserve(owner, r));
    }

    @Test
    void shouldGrantFreeName() {
        var result = reserve("a");

        assertThat(result.reply()).isEqualTo(new NameEntity.Granted(false));
        assertThat(result.event()).isEqualTo(new NameEntity.Reserved(KEY, "a", NOW));
    }

    @Test
    void shouldRefuseNameHeldByAnother() {
        reserve("a");

        var result = reserve("b");

        assertThat(result.reply()).isEqualTo(new NameEntity.Taken("a"));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldGrantAgainToOwnerWithoutEvent() {
        reserve("a");

        var result = reserve("a");

        assertThat(result.reply()).isEqualTo(new NameEntity.Granted(true));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldFreeNameWhenOwnerReleases() {
        reserve("a");

        var released = kit.<Confirmation>runCommand(r -> new NameEntity.Release("a", r));
        var next = reserve("b");

        assertThat(released.event()).isEqualTo(new NameEntity.Released(KEY, "a", NOW));
        assertThat(next.reply()).isEqualTo(new NameEntity.Granted(false));
    }

    @Test
    void shouldIgnoreReleaseByNonOwner() {
        reserve("a");

        var result = kit.<Confirmation>runCommand(r -> new NameEntity.Release("b", r));

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.hasNoEvents()).isTrue();
        assertThat(result.state().isHeldBy("a")).isTrue();
    }

    @Test
    void shouldRecoverOwnerAfterRestart() {
        reserve("a");

        var restarted = kit.restart();

        assertThat(restarted.state()).isEqualTo(new NameEntity.State(KEY, "a"));
    }

    @Test
    void shouldSnapshotWithoutDeletingEvents() {
        ActorsSettings every2 = new ActorsSettings(Duration.ofSeconds(5), 2, 1, 8, Duration.ofMillis(200),
                Duration.ofSeconds(5), 0.1, "keel.journal.embedded.query");
        var snapshotting = EntityTestKits.entityTestKit(testKit, NameEntity.create("network:snap", every2, EntityTestKits.CLOCK));
        snapshotting.clear();

        for (String owner : List.of("a", "b", "c")) {
            snapshotting.<NameEntity.Reservation>runCommand(r -> new NameEntity.Reserve(owner, r));
            snapshotting.<Confirmation>runCommand(r -> new NameEntity.Release(owner, r));
        }
        var restarted = snapshotting.restart();

        assertThat(snapshotting.persistenceTestKit().persistedInStorage("Name|network:snap")).hasSize(6);
        assertThat(snapshotting.snapshotTestKit().orElseThrow().persistedInStorage("Name|network:snap")).hasSize(1);
        assertThat(restarted.state()).isEqualTo(new NameEntity.State("network:snap", ""));
    }
}
