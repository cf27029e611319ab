package dev.keel.httpapi;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.keel.httpapi.transport.ListenAddress;
import dev.keel.httpapi.transport.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every knob of {@code keel.daemon} and {@code keel.cluster}, read once from the resolved
 * configuration (defaults and docs in reference.conf).
 *
 * @param hosts            where the Engine API is served, never empty
 * @param dataRoot         persistent state: the journal, the data-root lock
 * @param execRoot         runtime state that does not survive a reboot
 * @param pidFile          where keeld writes its pid
 * @param socketGroup      group owning every unix socket (mode 0660)
 * @param tls              TLS on the TCP addresses ({@code --tls}, {@code --tlsverify}); empty for plain TCP
 * @param logLevel         root log level, already raised to debug by {@code debug = true}
 * @param startupTimeout   longest wait for the cluster member to come Up and listeners to bind
 * @param shutdownTimeout  longest a graceful shutdown may take before keeld halts
 * @param clusterHostname  Artery's canonical host name
 * @param clusterPort      Artery's port; 0 picks a free one, enough for a single host
 */
public record DaemonSettings(
        List<ListenAddress> hosts,
        Path dataRoot,
        Path execRoot,
        Path pidFile,
        String socketGroup,
        Optional<ServerTls> tls,
        LogLevel logLevel,
        Duration startupTimeout,
        Duration shutdownTimeout,
        String clusterHostname,
        int clusterPort) {

    public DaemonSettings {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one host to listen on is required");
        }
        boolean verifiesClients = tls.filter(ServerTls::verifiesClients).isPresent();
        for (ListenAddress host : hosts) {
            if (host instanceof ListenAddress.Tcp tcp && !tcp.isLoopback() && !verifiesClients) {
                throw new IllegalArgumentException("refusing to listen on " + tcp.uri()
                        + (tls.isPresent() ? " with TLS but without client certificate verification"
                                : " without TLS")
                        + ": anyone who reaches that port would control this host; use --tlsverify with --tlscacert, "
                        + "--tlscert and --tlskey, or a loopback address (tcp://127.0.0.1:PORT) or the unix socket");
            }
        }
        if (clusterPort < 0 || clusterPort > 65535) {
            throw new IllegalArgumentException("keel.cluster.port must be between 0 and 65535, got " + clusterPort);
        }
    }

    /** Where the embedded journal keeps its files unless configured otherwise. */
    public Path journalDir() {
        return dataRoot.resolve("journal");
    }

    /**
     * @throws IllegalArgumentException with an operator-facing message on a bad value
     */
    public static DaemonSettings from(Config config) {
        try {
            Config d = config.getConfig("keel.daemon");
            Config c = config.getConfig("keel.cluster");
            Path defaultSocket = absolute(d, "default-socket");
            boolean verify = d.getBoolean("tlsverify");
            Optional<ServerTls> tls = verify || d.getBoolean("tls")
                    ? Optional.of(new ServerTls(file(d, "tlscert"), file(d, "tlskey"),
                            verify ? Optional.of(file(d, "tlscacert")) : Optional.empty()))
                    : Optional.empty();
            List<ListenAddress> hosts = new ArrayList<>();
            for (String host : d.getStringList("hosts")) {
                hosts.add(ListenAddress.parse(host, defaultSocket, tls.isPresent()));
            }
            if (hosts.isEmpty()) {
                hosts.add(new ListenAddress.UnixSocket(defaultSocket));
            }
            LogLevel level = d.getBoolean("debug") ? LogLevel.DEBUG : LogLevel.parse(d.getString("log-level"));
            return new DaemonSettings(hosts, absolute(d, "data-root"), absolute(d, "exec-root"), absolute(d, "pidfile"),
                    d.getString("group"), tls, level, d.getDuration("startup-timeout"), d.getDuration("shutdown-timeout"),
                    c.getString("hostname"), c.getInt("port"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    /** A file named on the command line: relative to the working directory, as dockerd takes it. */
    private static Path file(Config config, String key) {
        String value = config.getString(key);
        if (value.isBlank()) {
            throw new IllegalArgumentException("keel.daemon." + key + " (--" + key + ") must name a file");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    private static Path absolute(Config config, String key) {
        String value = config.getString(key);
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("keel.daemon." + key + " must be an absolute path, got \"" + value + "\"");
        }
        return Path.of(value).normalize();
    }
}
