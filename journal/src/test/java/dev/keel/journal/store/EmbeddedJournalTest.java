package dev.keel.journal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal plugin through Pekko: persist, recover in a new actor system, delete-to, highest seqNr. */
class EmbeddedJournalTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<ActorTestKit> kits = new ArrayList<>();

    private ActorTestKit start() {
        ActorTestKit kit = ActorTestKit.create("journal-" + kits.size(), EmbeddedJournalConfig.forDir(dir));
        kits.add(kit);
        return kit;
    }

    @AfterEach
    void shutdown() {
        for (ActorTestKit kit : kits) {
            kit.shutdownTestKit();
        }
    }

    private static long add(ActorTestKit kit, ActorRef<NoteEntity.Command> entity, String... notes) {
        TestProbe<Long> probe = kit.createTestProbe();
        entity.tell(new NoteEntity.Add(List.of(notes), probe.ref()));
        return probe.expectMessageClass(Long.class, TIMEOUT);
    }

    private static String state(ActorTestKit kit, ActorRef<NoteEntity.Command> entity) {
        TestProbe<String> probe = kit.createTestProbe();
        entity.tell(new NoteEntity.Get(probe.ref()));
        return probe.expectMessageClass(String.class, TIMEOUT);
    }

    @Test
    void shouldRecoverPersistedEventsInANewActorSystem() {
        ActorTestKit first = start();
        ActorRef<NoteEntity.Command> entity = first.spawn(NoteEntity.create("note-1"));
        add(first, entity, "a");
        assertThat(add(first, entity, "b", "c")).isEqualTo(3);
        first.shutdownTestKit();

        ActorTestKit second = start();
        ActorRef<NoteEntity.Command> recovered = second.spawn(NoteEntity.create("note-1"));

        assertThat(state(second, recovered)).isEqualTo("a,b,c");
        assertThat(add(second, recovered, "d")).isEqualTo(4);
    }

    @Test
    void shouldNotReplayDeletedEventsButKeepHighestSequenceNr() {
        ActorTestKit kit = start();
        ActorRef<NoteEntity.Command> entity = kit.spawn(NoteEntity.create("note-2"));
        add(kit, entity, "a", "b", "c");
        org.apache.pekko.actor.ActorRef journal = Persistence.get(Adapter.toClassic(kit.system())).journalFor(null, com.typesafe.config.ConfigFactory.empty());
        TestProbe<Object> probe = kit.createTestProbe();

        journal.tell(new JournalProtocol.DeleteMessagesTo("note-2", Long.MAX_VALUE, Adapter.toClassic(probe.ref())),
            org.apache.pekko.actor.ActorRef.noSender());
        probe.expectMessageClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class, TIMEOUT);
        journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, "note-2",
            Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());

        JournalProtocol.RecoverySuccess done = probe.expectMessageClass(JournalProtocol.RecoverySuccess.class, TIMEOUT);
        assertThat(done.highestSequenceNr()).isEqualTo(3);
    }

    @Test
    void shouldReplayOnlyUndeletedEventsAfterPartialDelete() {
        ActorTestKit kit = start();
        ActorRef<NoteEntity.Command> entity = kit.spawn(NoteEntity.create("note-3"));
        add(kit, entity, "a", "b", "c");
        org.apache.pekko.actor.ActorRef journal = Persistence.get(Adapter.toClassic(kit.system())).journalFor(null, com.typesafe.config.ConfigFactory.empty());
        TestProbe<Object> probe = kit.createTestProbe();

        journal.tell(new JournalProtocol.DeleteMessagesTo("note-3", 2, Adapter.toClassic(probe.ref())),
            org.apache.pekko.actor.ActorRef.noSender());
        probe.expectMessageClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class, TIMEOUT);
        journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, "note-3",
            Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());

        JournalProtocol.ReplayedMessage replayed = probe.expectMessageClass(JournalProtocol.ReplayedMessage.class, TIMEOUT);
        assertThat(replayed.persistent().sequenceNr()).isEqualTo(3);
        assertThat(replayed.persistent().payload()).isEqualTo("c");
        assertThat(probe.expectMessageClass(JournalProtocol.RecoverySuccess.class, TIMEOUT).highestSequenceNr())
            .isEqualTo(3);
    }
}
