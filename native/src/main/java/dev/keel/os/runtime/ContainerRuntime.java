package dev.keel.os.runtime;

import dev.keel.os.monitor.ContainerExit;
import dev.keel.os.monitor.ExecMonitor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs containers on this host through an OCI runtime, each under its own monitor process.
 *
 * <p>Lifecycle: {@link #create} writes the bundle and starts the monitor, which has the runtime create the
 * container (namespaces, cgroup, mounts; the process waits); {@link #start} lets the process run; {@link #kill},
 * {@link #stop}, {@link #pause}/{@link #unpause} and {@link #exec} act on it while it runs; the monitor records the
 * exit ({@link #awaitExit}); {@link #delete} removes what is left (runtime state, cgroups, bundle, log). The monitor,
 * not this JVM, is the container's parent: containers keep running while the daemon is down, and a new instance on
 * the same directories finds them with {@link #recover}.
 *
 * <p>Calls block for as long as the runtime CLI takes (tens of milliseconds), except {@link #awaitExit} and
 * {@link #stop}, which return futures. Every failure is a {@link RuntimeFailure}. Ids are the callers'; the same id
 * can be created again after delete.
 */
public interface ContainerRuntime extends AutoCloseable {

    /**
     * The runtime a container asking for {@code requested} is created with: {@code requested}, or the default runtime
     * when it is empty.
     *
     * @throws RuntimeFailure {@code INVALID_SPEC} for a runtime this host does not offer ({@code Unknown runtime
     *     specified NAME}), {@code UNSUPPORTED_RUNTIME} for one that cannot work on this host, with the reason
     */
    String selectRuntime(String requested);

    /**
     * Creates the container with its spec's runtime ({@link #selectRuntime}), which every later call for it uses, also
     * in a later daemon; its process exists but waits for {@link #start}. On failure nothing is left behind.
     */
    CreatedContainer create(ContainerSpec spec);

    /**
     * Creates and starts the container in one runtime execution ({@code run --detach}): what {@link #create} then
     * {@link #start} do, without a second runtime execution. Output written before a client attaches is in the log
     * only; attach first with {@link #create}. On failure nothing is left behind.
     */
    CreatedContainer run(ContainerSpec spec);

    /** Lets a created container's process run. */
    void start(String id);

    /** Sends a signal ({@code TERM}, {@code SIGKILL}, {@code 9}, ...) to the container's init process. */
    void kill(String id, String signal);

    /**
     * Sends {@code stopSignal}, and SIGKILL if the container has not exited after {@code timeout}. Completes with the
     * exit once the monitor has recorded it.
     */
    CompletableFuture<ContainerExit> stop(String id, String stopSignal, Duration timeout);

    /** Freezes every process of the container (freezer cgroup). */
    void pause(String id);

    void unpause(String id);

    /**
     * Applies new cgroup limits to a running or paused container. A limit of 0 lifts it, except the CPU shares and
     * cpusets, which stay as they are.
     *
     * @throws RuntimeFailure {@code RUNTIME_FAILED} with the runtime's message when the kernel refuses a value (a
     *     memory limit below what the container uses)
     */
    void update(String id, Resources resources);

    ContainerState state(String id);

    /** Completes when the container's init process has exited; at once if it already has. */
    CompletableFuture<ContainerExit> awaitExit(String id);

    /** Runs a process in the running container and waits for it to end. */
    ExecResult exec(String id, ExecSpec exec);

    /**
     * Prepares an exec session in the running container under a monitor of its own, which records its exit code;
     * the process runs once {@link ExecMonitor#start} is called. With {@code attach} its stdio is served on the
     * session's attach socket, which listens when this returns; with {@code tty} it gets a terminal.
     */
    ExecMonitor prepareExec(String id, String sessionId, ExecSpec exec, boolean tty, boolean openStdin, boolean attach);

    /**
     * Removes the container: runtime state, cgroups, monitor files, bundle and log.
     *
     * @param force also kill it if it still runs; without force a running container is a {@code CONFLICT}
     */
    void delete(String id, boolean force);

    /**
     * Removes a stopped container's runtime state, cgroups, monitor files and bundle but keeps its log, so that the
     * same id can be created again and its log goes on (Docker's {@code docker start} of an exited container). A
     * container that still runs is killed first; an unknown id is a no-op.
     */
    void reset(String id);

    /** The containers found in this runtime's directories, running ones re-adopted. */
    List<RecoveredContainer> recover();

    /** The container's log (k8s-file format), complete once {@link #awaitExit} has completed. */
    Path logFile(String id);

    /** Stops watching for exits. Containers keep running. */
    @Override
    void close();
}
