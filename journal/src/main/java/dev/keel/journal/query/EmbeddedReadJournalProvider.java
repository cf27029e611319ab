package dev.keel.journal.query;

import com.typesafe.config.Config;
import dev.keel.journal.store.EmbeddedStorage;
import dev.keel.journal.store.PersistentReprCodec;
import dev.keel.journal.store.RunningJournal;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;
import org.apache.pekko.serialization.SerializationExtension;

/** Registered as {@code keel.journal.embedded.query.class}; shares the journal directory of its actor system. */
public final class EmbeddedReadJournalProvider implements ReadJournalProvider {

    private final EmbeddedReadJournal javadsl;
    private final ScalaEmbeddedReadJournal scaladsl;

    public EmbeddedReadJournalProvider(ExtendedActorSystem system, Config config, String configPath) {
        RunningJournal journal = EmbeddedStorage.get(system).forPlugin(configPath);
        this.javadsl = new EmbeddedReadJournal(journal, new PersistentReprCodec(SerializationExtension.get(system)));
        this.scaladsl = new ScalaEmbeddedReadJournal(javadsl);
    }

    @Override
    public ScalaEmbeddedReadJournal scaladslReadJournal() {
        return scaladsl;
    }

    @Override
    public EmbeddedReadJournal javadslReadJournal() {
        return javadsl;
    }
}
