package dev.keel.journal.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A journal the same entities run against: its name in the results and the actor system settings that select it. */
record JournalBackend(String name, Config config) {

    static JournalBackend embedded(Path dir) {
        return new JournalBackend("embedded", ConfigFactory.parseString("""
                pekko.persistence.journal.plugin = "keel.journal.embedded.journal"
                pekko.persistence.snapshot-store.plugin = "keel.journal.embedded.snapshot"
                """)
            .withValue("keel.journal.embedded.dir", ConfigValueFactory.fromAnyRef(dir.toString())));
    }

    /** pekko-persistence-jdbc on an H2 file database in {@code dir}, with the schema the plugin ships. */
    static JournalBackend h2(Path dir) throws SQLException {
        String url = "jdbc:h2:file:" + dir.resolve("journal");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("RUNSCRIPT FROM 'classpath:/schema/h2/h2-create-schema.sql'");
        }
        return new JournalBackend("h2", ConfigFactory.parseString("""
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                jdbc-journal.use-shared-db = "slick"
                jdbc-snapshot-store.use-shared-db = "slick"
                pekko-persistence-jdbc.shared-databases.slick {
                  profile = "slick.jdbc.H2Profile$"
                  db.driver = "org.h2.Driver"
                }
                """)
            .withValue("pekko-persistence-jdbc.shared-databases.slick.db.url", ConfigValueFactory.fromAnyRef(url)));
    }
}
