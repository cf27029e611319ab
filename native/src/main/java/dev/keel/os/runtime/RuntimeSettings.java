package dev.keel.os.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import dev.keel.os.monitor.LogLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code keel.native.runtime} section of reference.conf, parsed once.
 *
 * @param defaultRuntime the runtime of a container created without one (dockerd's {@code --default-runtime})
 * @param runtimes the OCI runtimes by name: the built-in {@code runc} and {@code crun} and the operator's
 *     ({@code --add-runtime}, daemon.json's {@code runtimes}); each keeps its state under {@code <execRoot>/<name>}
 * @param runtimeArgs a runtime's global options besides {@code --root} (daemon.json's {@code runtimeArgs}), by name;
 *     none for a runtime not named
 * @param monitorPath the per-container monitor binary; empty for the keel-monitor in this jar
 * @param stateRoot bundles, logs and monitor records; survives a daemon restart
 * @param execRoot the runtime's state, exit files and attach sockets; gone after a reboot like the containers
 * @param cgroupParent containers' cgroups are {@code <cgroupParent>/<id>}
 * @param cgroupRoot where the cgroup filesystem is mounted
 * @param defaultStopTimeout how long a stop waits after the stop signal before SIGKILL
 * @param commandTimeout the longest a runtime CLI call (state, kill, pause, delete, ...) may take
 * @param monitorLogLevel the monitor's own log level ({@code warn}, {@code info})
 * @param openFilesLimit containers' RLIMIT_NOFILE (soft and hard), lowered to the daemon's own hard limit when the
 *     daemon lacks CAP_SYS_RESOURCE to raise it
 * @param log containers' log rotation ({@code keel.native.runtime.log}, daemon.json's {@code log-opts})
 */
public record RuntimeSettings(
    String defaultRuntime,
    Map<String, Path> runtimes,
    Map<String, List<String>> runtimeArgs,
    Optional<Path> monitorPath,
    Path stateRoot,
    Path execRoot,
    String cgroupParent,
    Path cgroupRoot,
    Duration defaultStopTimeout,
    Duration commandTimeout,
    String monitorLogLevel,
    long openFilesLimit,
    LogLimits log) {

    /** Offered only where their binary is installed; the operator's runtimes are offered as configured. */
    public static final Set<String> BUILT_IN = Set.of("runc", "crun");

    /** A runtime's name is a directory under the exec root, beside the exit files and attach sockets. */
    private static final Pattern RUNTIME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Set<String> RESERVED_NAMES = Set.of("exits", "socks");

    public RuntimeSettings {
        runtimes = Map.copyOf(runtimes);
        runtimeArgs = Map.copyOf(runtimeArgs);
        for (String name : runtimes.keySet()) {
            if (!RUNTIME_NAME.matcher(name).matches() || RESERVED_NAMES.contains(name)) {
                throw new IllegalArgumentException("keel.native.runtime.runtimes: invalid runtime name \"" + name
                    + "\": letters, digits, '_', '.' and '-', not exits or socks");
            }
        }
        if (!runtimes.containsKey(defaultRuntime)) {
            throw new IllegalArgumentException("keel.native.runtime.default-runtime " + defaultRuntime
                + " is not one of the runtimes " + new TreeMap<>(runtimes).keySet());
        }
        // The monitor makes symlinks whose targets are these strings as given, so relative paths dangle.
        List<Path> paths = new ArrayList<>(runtimes.values());
        monitorPath.ifPresent(paths::add);
        paths.addAll(List.of(stateRoot, execRoot, cgroupRoot));
        for (Path p : paths) {
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException("keel.native.runtime: paths must be absolute, got " + p);
            }
        }
        if (!cgroupParent.startsWith("/")) {
            throw new IllegalArgumentException("keel.native.runtime.cgroup-parent must start with /");
        }
        if (openFilesLimit < 1) {
            throw new IllegalArgumentException("keel.native.runtime.open-files-limit must be positive");
        }
        if (defaultStopTimeout.isNegative() || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("keel.native.runtime: timeouts must be positive");
        }
    }

    /** Parses the {@code keel.native.runtime} block (the config passed in is that block). */
    public static RuntimeSettings fromConfig(Config runtime) {
        Map<String, Path> runtimes = new LinkedHashMap<>();
        Map<String, List<String>> runtimeArgs = new LinkedHashMap<>();
        Config byName = runtime.getConfig("runtimes");
        for (String name : byName.root().keySet()) {
            Config entry = byName.getConfig(ConfigUtil.joinPath(name));
            if (entry.hasPath("runtime-args")) {
                runtimeArgs.put(name, List.copyOf(entry.getStringList("runtime-args")));
            }
            runtimes.put(name, Path.of(entry.getString("path")));
        }
        return new RuntimeSettings(
            runtime.getString("default-runtime"),
            runtimes,
            runtimeArgs,
            Optional.of(runtime.getString("monitor-path")).filter(p -> !p.isEmpty()).map(Path::of),
            Path.of(runtime.getString("state-root")),
            Path.of(runtime.getString("exec-root")),
            runtime.getString("cgroup-parent"),
            Path.of(runtime.getString("cgroup-root")),
            runtime.getDuration("stop-timeout"),
            runtime.getDuration("command-timeout"),
            runtime.getString("monitor-log-level"),
            runtime.getLong("open-files-limit"),
            LogLimits.fromConfig(runtime.getConfig("log")));
    }

    public RuntimeSettings withRoots(Path newStateRoot, Path newExecRoot) {
        return new RuntimeSettings(defaultRuntime, runtimes, runtimeArgs, monitorPath,
            newStateRoot, newExecRoot, cgroupParent,
            cgroupRoot, defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    public RuntimeSettings withCgroupParent(String parent) {
        return new RuntimeSettings(defaultRuntime, runtimes, runtimeArgs, monitorPath,
            stateRoot, execRoot, parent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    /** Adds (or replaces) runtime {@code name}. */
    public RuntimeSettings withRuntime(String name, Path path) {
        Map<String, Path> more = new LinkedHashMap<>(runtimes);
        more.put(name, path);
        return new RuntimeSettings(defaultRuntime, more, runtimeArgs, monitorPath,
            stateRoot, execRoot, cgroupParent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    public RuntimeSettings withLog(LogLimits limits) {
        return new RuntimeSettings(defaultRuntime, runtimes, runtimeArgs, monitorPath,
            stateRoot, execRoot, cgroupParent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, limits);
    }

    public RuntimeSettings withDefaultRuntime(String name) {
        return new RuntimeSettings(name, runtimes, runtimeArgs, monitorPath,
            stateRoot, execRoot, cgroupParent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    /**
     * The runtimes containers can be created with: a built-in one whose binary is not installed is left out (the
     * default runtime never is, so that its absence is an error at start).
     */
    public Map<String, Path> offeredRuntimes() {
        Map<String, Path> offered = new TreeMap<>();
        runtimes.forEach((name, path) -> {
            if (!BUILT_IN.contains(name) || name.equals(defaultRuntime) || Files.isExecutable(path)) {
                offered.put(name, path);
            }
        });
        return offered;
    }

    /** Runtime {@code name}'s own state directory (its {@code --root}); every call for its containers uses it. */
    public Path runtimeStateDir(String name) {
        return execRoot.resolve(name);
    }

    /** The monitor writes {@code <exitDir>/<id>} with the exit code when a container's main process exits. */
    public Path exitDir() {
        return execRoot.resolve("exits");
    }

    /** The monitor links {@code <socketDir>/<id>} to the bundle, which holds the attach socket. */
    public Path socketDir() {
        return execRoot.resolve("socks");
    }

    public Path containersDir() {
        return stateRoot.resolve("containers");
    }
}
