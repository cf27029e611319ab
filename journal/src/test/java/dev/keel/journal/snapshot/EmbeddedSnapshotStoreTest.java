package dev.keel.journal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.journal.store.EmbeddedJournalConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSnapshotStoreTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ActorTestKit kit;
    private ActorRef store;
    private TestProbe<Object> probe;

    @BeforeEach
    void start() {
        kit = ActorTestKit.create("snapshots", EmbeddedJournalConfig.forDir(dir));
        store = Persistence.get(Adapter.toClassic(kit.system())).snapshotStoreFor(null,
            com.typesafe.config.ConfigFactory.empty());
        probe = kit.createTestProbe();
        for (long seqNr : new long[] {10, 20, 30}) {
            send(new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata("pid", seqNr, 0), "state-" + seqNr));
            probe.expectMessageClass(org.apache.pekko.persistence.SaveSnapshotSuccess.class, TIMEOUT);
        }
    }

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private void send(Object message) {
        store.tell(message, Adapter.toClassic(probe.ref()));
    }

    private scala.Option<SelectedSnapshot> load(SnapshotSelectionCriteria criteria) {
        send(new SnapshotProtocol.LoadSnapshot("pid", criteria, Long.MAX_VALUE));
        return probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, TIMEOUT).snapshot();
    }

    @Test
    void shouldLoadTheNewestSnapshot() {
        SelectedSnapshot selected = load(SnapshotSelectionCriteria.latest()).get();

        assertThat(selected.metadata().sequenceNr()).isEqualTo(30);
        assertThat(selected.metadata().timestamp()).isPositive();
        assertThat(selected.snapshot()).isEqualTo("state-30");
    }

    // Pekko stamps a snapshot's timestamp itself when saving, so the criteria use what was stored.
    @Test
    void shouldHonourMaxSequenceNrAndMaxTimestamp() {
        assertThat(load(SnapshotSelectionCriteria.create(25, Long.MAX_VALUE)).get().snapshot()).isEqualTo("state-20");
        long firstSaved = load(SnapshotSelectionCriteria.create(10, Long.MAX_VALUE)).get().metadata().timestamp();
        assertThat(load(SnapshotSelectionCriteria.create(Long.MAX_VALUE, firstSaved - 1)).isEmpty()).isTrue();
        assertThat(load(SnapshotSelectionCriteria.create(5, Long.MAX_VALUE)).isEmpty()).isTrue();
    }

    @Test
    void shouldDeleteOneSnapshot() {
        send(new SnapshotProtocol.DeleteSnapshot(new SnapshotMetadata("pid", 30, 0)));
        probe.expectMessageClass(org.apache.pekko.persistence.DeleteSnapshotSuccess.class, TIMEOUT);

        assertThat(load(SnapshotSelectionCriteria.latest()).get().snapshot()).isEqualTo("state-20");
    }

    @Test
    void shouldDeleteSnapshotsMatchingCriteria() {
        send(new SnapshotProtocol.DeleteSnapshots("pid", SnapshotSelectionCriteria.create(20, Long.MAX_VALUE)));
        probe.expectMessageClass(org.apache.pekko.persistence.DeleteSnapshotsSuccess.class, TIMEOUT);

        assertThat(load(SnapshotSelectionCriteria.create(25, Long.MAX_VALUE)).isEmpty()).isTrue();
        assertThat(load(SnapshotSelectionCriteria.latest()).get().snapshot()).isEqualTo("state-30");
    }

    @Test
    void shouldNotSeeAnotherPersistenceIdsSnapshots() {
        send(new SnapshotProtocol.LoadSnapshot("pi", SnapshotSelectionCriteria.latest(), Long.MAX_VALUE));

        assertThat(probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, TIMEOUT).snapshot().isEmpty())
            .isTrue();
    }
}
