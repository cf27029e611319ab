package dev.keel.journal.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/** Actor-system config that makes the embedded journal and snapshot store the defaults, on a given directory. */
public final class EmbeddedJournalConfig {

    private EmbeddedJournalConfig() {
    }

    public static Config forDir(Path dir) {
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.persistence.journal.plugin = "keel.journal.embedded.journal"
                pekko.persistence.snapshot-store.plugin = "keel.journal.embedded.snapshot"
                """)
            .withValue("keel.journal.embedded.dir", ConfigValueFactory.fromAnyRef(dir.toString()))
            .withFallback(ConfigFactory.load());
    }
}
