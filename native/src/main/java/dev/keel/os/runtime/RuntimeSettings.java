package dev.keel.os.runtime;

import com.typesafe.config.Config;
import dev.keel.os.monitor.LogLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code keel.native.runtime} section of reference.conf, parsed once.
 *
 * @param runtimeName {@code runc} or {@code crun}: which OCI runtime {@link #runtimePath} is
 * @param runtimePath the OCI runtime binary
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
    String runtimeName,
    Path runtimePath,
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

    public RuntimeSettings {
        if (!runtimeName.equals("runc") && !runtimeName.equals("crun")) {
            throw new IllegalArgumentException("keel.native.runtime.runtime must be runc or crun, not " + runtimeName);
        }
        // The monitor makes symlinks whose targets are these strings as given, so relative paths dangle.
        for (Path p : new Path[] {runtimePath, monitorPath.orElse(stateRoot), stateRoot, execRoot, cgroupRoot}) {
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
        return new RuntimeSettings(
            runtime.getString("runtime"),
            Path.of(runtime.getString("runtime-path")),
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
        return new RuntimeSettings(runtimeName, runtimePath, monitorPath, newStateRoot, newExecRoot, cgroupParent,
            cgroupRoot, defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    public RuntimeSettings withCgroupParent(String parent) {
        return new RuntimeSettings(runtimeName, runtimePath, monitorPath, stateRoot, execRoot, parent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    public RuntimeSettings withRuntime(String name, Path path) {
        return new RuntimeSettings(name, path, monitorPath, stateRoot, execRoot, cgroupParent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, log);
    }

    public RuntimeSettings withLog(LogLimits limits) {
        return new RuntimeSettings(runtimeName, runtimePath, monitorPath, stateRoot, execRoot, cgroupParent, cgroupRoot,
            defaultStopTimeout, commandTimeout, monitorLogLevel, openFilesLimit, limits);
    }

    /** runc's own state directory (its {@code --root}); every runtime call uses the same one. */
    public Path runtimeStateDir() {
        return execRoot.resolve(runtimeName);
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
