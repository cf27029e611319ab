package dev.keel.journal.store;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * One {@link RunningJournal} per directory per actor system, shared by the journal, the snapshot store and the read
 * journal. Opened on first use; closed (writer drained, memtables flushed) when the actor system terminates, after
 * every actor and stream that could still read it has stopped.
 */
public final class EmbeddedStorage implements Extension {

    public static final Id ID = new Id();

    /** The extension id. */
    public static final class Id extends AbstractExtensionId<EmbeddedStorage> implements ExtensionIdProvider {
        @Override
        public EmbeddedStorage createExtension(ExtendedActorSystem system) {
            return new EmbeddedStorage(system);
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private final ActorSystem system;
    private final Map<Path, RunningJournal> journals = new ConcurrentHashMap<>();

    private EmbeddedStorage(ActorSystem system) {
        this.system = system;
        system.registerOnTermination(this::closeAll);
    }

    public static EmbeddedStorage get(ActorSystem system) {
        return ID.get(system);
    }

    /**
     * The journal of the plugin whose config lives at {@code pluginConfigPath} (e.g. {@code
     * keel.journal.embedded.journal}); its parent block holds the shared settings.
     */
    public RunningJournal forPlugin(String pluginConfigPath) {
        String parent = pluginConfigPath.substring(0, pluginConfigPath.lastIndexOf('.'));
        Config embedded = system.settings().config().getConfig(parent);
        return journalAt(EmbeddedJournalSettings.fromConfig(embedded));
    }

    public RunningJournal journalAt(EmbeddedJournalSettings settings) {
        return journals.computeIfAbsent(settings.dir(), dir -> RunningJournal.start(settings, Clock.systemUTC()));
    }

    private void closeAll() {
        for (Path dir : journals.keySet()) {
            RunningJournal journal = journals.remove(dir);
            if (journal != null) {
                journal.close();
            }
        }
    }
}
