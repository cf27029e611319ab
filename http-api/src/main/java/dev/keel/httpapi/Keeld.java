package dev.keel.httpapi;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.httpapi.startup.BadUsage;
import dev.keel.httpapi.startup.DaemonConfig;
import dev.keel.httpapi.startup.DaemonFlags;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keeld's main: parses dockerd-style flags, assembles the configuration, starts the daemon and
 * waits for it to stop. Exit codes: 0 after a requested shutdown (and for --help), 1 for bad
 * usage, bad configuration or a failed start, 2 when a shutdown had to be forced.
 */
public final class Keeld {

    /**
     * A daemon ready to start: settings read and checked, logging set up.
     *
     * @param operatorConfig flags over -D over the config file
     * @param defaults       keeld.conf over every reference.conf
     */
    record Prepared(DaemonSettings settings, Config operatorConfig, Config defaults, String version, Instant launchedAt) {

        Daemon start(Clock clock) throws Daemon.StartFailure {
            return Daemon.start(settings, operatorConfig, defaults, version, clock, ProcessHandle.current().pid(), launchedAt);
        }
    }

    private Keeld() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        Prepared prepared;
        try {
            DaemonFlags flags = DaemonFlags.parse(args);
            if (flags.help()) {
                out.print(DaemonFlags.USAGE);
                return 0;
            }
            if (flags.version()) {
                out.println("Keel version " + version());
                return 0;
            }
            prepared = prepare(flags);
        } catch (BadUsage e) {
            err.println("keeld: " + e.getMessage());
            err.println("See 'keeld --help'.");
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("keeld: " + e.getMessage());
            return 1;
        }
        ShutdownSignals signals = ShutdownSignals.install(prepared.settings().shutdownTimeout());
        Daemon daemon;
        try {
            daemon = prepared.start(clock);
        } catch (Daemon.StartFailure e) {
            LoggerFactory.getLogger(Keeld.class).debug("start failed", e);
            err.println("keeld: " + e.getMessage());
            return 1;
        }
        signals.attach(daemon);
        return daemon.awaitTermination();
    }

    /**
     * @throws BadUsage                 for a missing or unreadable config file
     * @throws IllegalArgumentException for a bad setting
     */
    static Prepared prepare(DaemonFlags flags) throws BadUsage {
        // The JVM's own start time; /proc's process start time is only exact to the second here.
        Instant launchedAt = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        Config defaults = ConfigFactory.parseResources(Keeld.class.getClassLoader(), "keeld.conf")
                .withFallback(ConfigFactory.defaultReference(Keeld.class.getClassLoader()));
        DaemonConfig.Loaded loaded = DaemonConfig.load(flags, defaults);
        DaemonSettings settings = DaemonSettings.from(loaded.config().withFallback(defaults).resolve());
        setLogLevel(settings.logLevel());
        Logger log = LoggerFactory.getLogger(Keeld.class);
        loaded.file().ifPresent(file -> log.info("configuration file {}", file));
        loaded.warnings().forEach(log::warn);
        return new Prepared(settings, loaded.config(), defaults, version(), launchedAt);
    }

    private static void setLogLevel(LogLevel level) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.toLevel(level.logbackLevel()));
    }

    private static String version() {
        String version = Keeld.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
