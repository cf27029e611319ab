package dev.keel.httpapi.startup;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Assembles keeld's configuration. Precedence, highest first: flags, {@code -D} overrides,
 * the config file, then the defaults (keeld.conf and every reference.conf).
 *
 * <p>The config file is HOCON; since JSON is HOCON, Docker's daemon.json works, and its keys
 * that keeld understands are moved under {@code keel.daemon}. {@code keel.*} and {@code pekko.*}
 * paths in the file are taken as they are.
 */
public final class DaemonConfig {

    /** daemon.json keys that mean the same for keeld; each maps to {@code keel.daemon.<key>}. */
    static final Set<String> DOCKER_KEYS = Set.of("hosts", "data-root", "exec-root", "pidfile", "log-level", "debug", "group",
            "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "authorization-plugins");

    private static final Set<String> NATIVE_ROOTS = Set.of("keel", "pekko");

    /**
     * The operator's layers (flags over -D over the file), not yet resolved and without the
     * defaults, so the daemon can slot values derived from settings in between.
     *
     * @param warnings file keys keeld ignores
     */
    public record Loaded(Config config, Optional<Path> file, List<String> warnings) {
    }

    private DaemonConfig() {
    }

    /**
     * Layers flags over overrides over the config file. The file is
     * {@code --config-file} if given (it must exist), otherwise {@code keel.daemon.config-file}
     * if that file exists.
     *
     * @param defaults only consulted for {@code keel.daemon.config-file}
     * @throws BadUsage if the file is missing or unreadable
     */
    public static Loaded load(DaemonFlags flags, Config defaults) throws BadUsage {
        Config overrides = overridesLayer(flags.overrides());
        Optional<Path> file = configFile(flags, overrides.withFallback(defaults));
        List<String> warnings = new ArrayList<>();
        Config fileLayer = ConfigFactory.empty();
        if (file.isPresent()) {
            fileLayer = fileLayer(parseFile(file.get()), warnings);
        }
        Config operator = flagsLayer(flags).withFallback(overrides).withFallback(fileLayer);
        return new Loaded(operator, file, List.copyOf(warnings));
    }

    private static Optional<Path> configFile(DaemonFlags flags, Config belowFile) throws BadUsage {
        if (flags.configFile().isPresent()) {
            Path explicit = Path.of(flags.configFile().get());
            if (!Files.isRegularFile(explicit)) {
                throw new BadUsage("config file " + explicit + " does not exist");
            }
            return Optional.of(explicit);
        }
        Path fallback = Path.of(belowFile.getString("keel.daemon.config-file"));
        return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    private static Config parseFile(Path file) throws BadUsage {
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw new BadUsage("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** Moves daemon.json keys under keel.daemon; keeps keel.* and pekko.*; reports the rest. */
    static Config fileLayer(Config file, List<String> warnings) {
        Config layer = ConfigFactory.empty();
        for (String key : file.root().keySet()) {
            if (DOCKER_KEYS.contains(key)) {
                layer = layer.withValue("keel.daemon." + key, file.root().get(key));
            } else if (NATIVE_ROOTS.contains(key)) {
                layer = layer.withValue(key, file.root().get(key));
            } else if (key.equals("default-runtime")) {
                layer = layer.withValue("keel.native.runtime.default-runtime", file.root().get(key));
            } else if (key.equals("runtimes") && file.getValue(key) instanceof ConfigObject runtimes) {
                // daemon.json's {"name": {"path": ..., "runtimeArgs": [...]}}, one runtime per key.
                for (String name : runtimes.keySet()) {
                    String at = "keel.native.runtime.runtimes." + ConfigUtil.joinPath(name);
                    Config runtime = file.getConfig(ConfigUtil.joinPath(key, name));
                    layer = layer.withValue(at + ".path", runtime.getValue("path"));
                    if (runtime.hasPath("runtimeArgs")) {
                        layer = layer.withValue(at + ".runtime-args", runtime.getValue("runtimeArgs"));
                    }
                }
            } else if (key.equals("log-opts") && file.getValue(key) instanceof ConfigObject opts) {
                // json-file's rotation options; the others (compress, labels, ...) are not implemented.
                for (String opt : opts.keySet()) {
                    if (opt.equals("max-size") || opt.equals("max-file")) {
                        layer = layer.withValue("keel.native.runtime.log." + opt, opts.get(opt));
                    } else {
                        warnings.add("log-opts \"" + opt + "\" is not supported by keeld and is ignored");
                    }
                }
            } else {
                warnings.add("config file key \"" + key + "\" is not supported by keeld and is ignored");
            }
        }
        return layer;
    }

    /**
     * {@code -D} values are strings, as with JVM system properties (numbers, booleans and durations
     * convert on read); a value starting with {@code [} or <code>{</code> is parsed as HOCON.
     */
    static Config overridesLayer(Map<String, String> overrides) throws BadUsage {
        Config layer = ConfigFactory.empty();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String value = e.getValue().strip();
            try {
                if (value.startsWith("[") || value.startsWith("{")) {
                    Config parsed = ConfigFactory.parseString("v = " + value);
                    layer = layer.withValue(e.getKey(), parsed.getValue("v"));
                } else {
                    layer = layer.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "-D " + e.getKey()));
                }
            } catch (ConfigException ex) {
                throw new BadUsage("bad override -D " + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
            }
        }
        return layer;
    }

    static Config flagsLayer(DaemonFlags flags) {
        Map<String, Object> values = new HashMap<>();
        if (!flags.hosts().isEmpty()) {
            values.put("keel.daemon.hosts", flags.hosts());
        }
        flags.dataRoot().ifPresent(v -> values.put("keel.daemon.data-root", v));
        flags.execRoot().ifPresent(v -> values.put("keel.daemon.exec-root", v));
        flags.pidFile().ifPresent(v -> values.put("keel.daemon.pidfile", v));
        flags.logLevel().ifPresent(v -> values.put("keel.daemon.log-level", v));
        flags.group().ifPresent(v -> values.put("keel.daemon.group", v));
        flags.tls().ifPresent(v -> values.put("keel.daemon.tls", v));
        flags.tlsVerify().ifPresent(v -> values.put("keel.daemon.tlsverify", v));
        flags.tlsCaCert().ifPresent(v -> values.put("keel.daemon.tlscacert", v));
        flags.tlsCert().ifPresent(v -> values.put("keel.daemon.tlscert", v));
        flags.tlsKey().ifPresent(v -> values.put("keel.daemon.tlskey", v));
        if (!flags.authorizationPlugins().isEmpty()) {
            values.put("keel.daemon.authorization-plugins", flags.authorizationPlugins());
        }
        if (flags.debug()) {
            values.put("keel.daemon.debug", true);
        }
        flags.defaultRuntime().ifPresent(v -> values.put("keel.native.runtime.default-runtime", v));
        Config layer = ConfigFactory.parseMap(values, "command-line flags");
        for (Map.Entry<String, String> runtime : flags.addedRuntimes().entrySet()) {
            layer = layer.withValue("keel.native.runtime.runtimes." + ConfigUtil.joinPath(runtime.getKey()) + ".path",
                    ConfigValueFactory.fromAnyRef(runtime.getValue(), "--add-runtime"));
        }
        return layer;
    }
}
