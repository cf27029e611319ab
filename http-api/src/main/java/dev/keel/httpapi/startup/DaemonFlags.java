package dev.keel.httpapi.startup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * keeld's command line, spelled like dockerd's so that operators and scripts carry over.
 * Only the flags given are set; defaults live in reference.conf.
 *
 * <p>{@code -D key=value} and {@code -Dkey=value} override any configuration path.
 * A bare {@code -D} (not followed by {@code key=value}) keeps dockerd's meaning, {@code --debug}.
 */
public record DaemonFlags(
        List<String> hosts,
        Optional<String> dataRoot,
        Optional<String> execRoot,
        Optional<String> pidFile,
        Optional<String> configFile,
        Optional<String> logLevel,
        Optional<String> group,
        Optional<Boolean> tls,
        Optional<Boolean> tlsVerify,
        Optional<String> tlsCaCert,
        Optional<String> tlsCert,
        Optional<String> tlsKey,
        List<String> authorizationPlugins,
        Map<String, String> addedRuntimes,
        Optional<String> defaultRuntime,
        boolean debug,
        Map<String, String> overrides,
        boolean help,
        boolean version) {

    public static final String USAGE = """
            Usage: keeld [OPTIONS]

            A container engine that speaks the Docker Engine API.

            Options:
              -H, --host ADDRESS        Address to serve the API on, repeatable:
                                        unix:///path (default unix:///run/keel/keel.sock)
                                        or tcp://HOST:PORT (not loopback: needs --tlsverify)
                  --data-root DIR       Root of persistent state (default /var/lib/keel)
                  --exec-root DIR       Root of runtime state (default /run/keel)
              -p, --pidfile FILE        Where to write the daemon's pid (default /run/keel/keeld.pid)
                  --config-file FILE    HOCON or JSON daemon configuration
                                        (default /etc/keel/daemon.json if it exists)
              -l, --log-level LEVEL     debug, info, warn, error or fatal (default info)
              -G, --group GROUP         Group owning the unix socket, mode 0660 (default root)
                  --tls                 Use TLS on TCP addresses; implied by --tlsverify
                  --tlsverify           Use TLS and require client certificates signed by --tlscacert
                  --tlscacert FILE      Trust certs signed only by this CA (default ~/.docker/ca.pem)
                  --tlscert FILE        TLS certificate (default ~/.docker/cert.pem)
                  --tlskey FILE         TLS key (default ~/.docker/key.pem)
                  --authorization-plugin NAME
                                        Authorization plugin every API request must pass,
                                        repeatable: all must allow, asked in order
                  --add-runtime NAME=PATH
                                        An OCI runtime containers may ask for with
                                        docker run --runtime NAME, repeatable
                  --default-runtime NAME
                                        Runtime of containers that ask for none (default runc)
              -D, --debug               Same as --log-level debug
              -D key=value, -Dkey=value Override any configuration path, e.g.
                                        -D keel.cluster.port=2552
              -h, --help                Print this help and exit
              -v, --version             Print the version and exit

            Precedence: flags, then -D overrides, then the config file, then built-in defaults.
            """;

    /** Parses dockerd-style arguments: {@code --flag value}, {@code --flag=value}, {@code -H value}, {@code -Hvalue}. */
    public static DaemonFlags parse(String... args) throws BadUsage {
        Builder b = new Builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-D")) {
                if (i + 1 < args.length && !args[i + 1].startsWith("-") && args[i + 1].contains("=")) {
                    b.override(args[++i]);
                } else {
                    b.debug = true;
                }
                continue;
            }
            if (arg.startsWith("-D") && !arg.startsWith("--")) {
                b.override(arg.substring(2));
                continue;
            }
            String name = arg;
            String inline = null;
            if (arg.startsWith("--") && arg.indexOf('=') > 0) {
                name = arg.substring(0, arg.indexOf('='));
                inline = arg.substring(arg.indexOf('=') + 1);
            } else if (arg.startsWith("-") && !arg.startsWith("--") && arg.length() > 2) {
                name = arg.substring(0, 2);
                inline = arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2);
            }
            switch (name) {
                case "-h", "--help" -> b.help = noValue(name, inline);
                case "-v", "--version" -> b.version = noValue(name, inline);
                case "--debug" -> b.debug = noValue(name, inline);
                case "-H", "--host" -> b.hosts.add(inline != null ? inline : value(args, ++i, name));
                case "--data-root" -> b.dataRoot = inline != null ? inline : value(args, ++i, name);
                case "--exec-root" -> b.execRoot = inline != null ? inline : value(args, ++i, name);
                case "-p", "--pidfile" -> b.pidFile = inline != null ? inline : value(args, ++i, name);
                case "--config-file" -> b.configFile = inline != null ? inline : value(args, ++i, name);
                case "-l", "--log-level" -> b.logLevel = inline != null ? inline : value(args, ++i, name);
                case "-G", "--group" -> b.group = inline != null ? inline : value(args, ++i, name);
                case "--tls" -> b.tls = bool(name, inline);
                case "--tlsverify" -> b.tlsVerify = bool(name, inline);
                case "--tlscacert" -> b.tlsCaCert = inline != null ? inline : value(args, ++i, name);
                case "--tlscert" -> b.tlsCert = inline != null ? inline : value(args, ++i, name);
                case "--tlskey" -> b.tlsKey = inline != null ? inline : value(args, ++i, name);
                case "--authorization-plugin" -> b.authorizationPlugins.add(inline != null ? inline : value(args, ++i, name));
                case "--add-runtime" -> b.addRuntime(inline != null ? inline : value(args, ++i, name));
                case "--default-runtime" -> b.defaultRuntime = inline != null ? inline : value(args, ++i, name);
                default -> {
                    if (arg.startsWith("-")) {
                        throw new BadUsage("unknown flag: " + name);
                    }
                    throw new BadUsage("keeld takes no arguments, got \"" + arg + "\"");
                }
            }
        }
        return b.build();
    }

    private static boolean noValue(String name, String inline) throws BadUsage {
        if (inline != null) {
            throw new BadUsage("flag " + name + " takes no value");
        }
        return true;
    }

    /** A Go boolean flag, as dockerd parses it: bare means true, else {@code --flag=true} or {@code --flag=false}. */
    private static Boolean bool(String name, String inline) throws BadUsage {
        if (inline == null) {
            return true;
        }
        return switch (inline) {
            case "true", "1", "t", "T", "TRUE", "True" -> true;
            case "false", "0", "f", "F", "FALSE", "False" -> false;
            default -> throw new BadUsage("invalid boolean value \"" + inline + "\" for " + name);
        };
    }

    private static String value(String[] args, int index, String name) throws BadUsage {
        if (index >= args.length || args[index].isEmpty()) {
            throw new BadUsage("flag needs an argument: " + name);
        }
        return args[index];
    }

    private static final class Builder {
        final List<String> hosts = new ArrayList<>();
        final List<String> authorizationPlugins = new ArrayList<>();
        final Map<String, String> overrides = new LinkedHashMap<>();
        final Map<String, String> addedRuntimes = new LinkedHashMap<>();
        String defaultRuntime;
        String dataRoot;
        String execRoot;
        String pidFile;
        String configFile;
        String logLevel;
        String group;
        Boolean tls;
        Boolean tlsVerify;
        String tlsCaCert;
        String tlsCert;
        String tlsKey;
        boolean debug;
        boolean help;
        boolean version;

        void override(String keyValue) throws BadUsage {
            int eq = keyValue.indexOf('=');
            if (eq <= 0) {
                throw new BadUsage("bad override \"-D" + keyValue + "\": expected -D key=value");
            }
            overrides.put(keyValue.substring(0, eq).trim(), keyValue.substring(eq + 1));
        }

        /** dockerd's {@code --add-runtime NAME=PATH}. */
        void addRuntime(String nameAndPath) throws BadUsage {
            int eq = nameAndPath.indexOf('=');
            if (eq <= 0 || eq == nameAndPath.length() - 1) {
                throw new BadUsage("bad --add-runtime \"" + nameAndPath + "\": expected NAME=PATH");
            }
            addedRuntimes.put(nameAndPath.substring(0, eq), nameAndPath.substring(eq + 1));
        }

        DaemonFlags build() {
            return new DaemonFlags(List.copyOf(hosts), Optional.ofNullable(dataRoot), Optional.ofNullable(execRoot),
                    Optional.ofNullable(pidFile), Optional.ofNullable(configFile), Optional.ofNullable(logLevel),
                    Optional.ofNullable(group), Optional.ofNullable(tls), Optional.ofNullable(tlsVerify),
                    Optional.ofNullable(tlsCaCert), Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey),
                    List.copyOf(authorizationPlugins), Map.copyOf(addedRuntimes), Optional.ofNullable(defaultRuntime),
                    debug, Map.copyOf(overrides), help, version);
        }
    }
}
