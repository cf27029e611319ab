package dev.keel.actors.container;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Docker's container verbs on this host: what the Engine API asks, carried out by the {@link ContainerEntity}
 * (which records) and the runtime (which acts), in that order.
 *
 * <p>{@code ref} is what a client may name a container by: its full id, a unique prefix of the id, or its name with
 * or without the leading slash. Every future fails with a {@link dev.keel.actors.EngineFailure} when the request is
 * refused ({@code NOT_FOUND} "No such container: ref", {@code CONFLICT}, {@code INVALID_ARGUMENT},
 * {@code NOT_MODIFIED} for a start of a running or a stop of a stopped container, {@code HOST_FAILURE} with the
 * runtime's message).
 */
public interface Containers {

    /**
     * @param name   the requested name, empty for a generated one
     * @param image  the image reference as given ("busybox", "busybox:1", an id or id prefix)
     * @param config what the client asked for; the image's defaults (Cmd, Entrypoint, Env, WorkingDir, User,
     *               StopSignal, ExposedPorts) fill what it left empty
     */
    record CreateRequest(String name, String image, ContainerConfig config) {}

    /** The OCI runtimes containers can ask for (name to binary), and the one they get when they ask for none. */
    record Runtimes(Map<String, java.nio.file.Path> paths, String defaultRuntime) {}

    record Created(String containerId, List<String> warnings) {}

    /** Docker's wait conditions. */
    enum WaitCondition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    /** The end of a wait: the exit code of the run waited for. */
    record Exit(long exitCode) {}

    enum LogStream { STDOUT, STDERR }

    /** One line (or, for a TTY, one chunk) of a container's output, as its monitor logged it. */
    record LogLine(LogStream stream, Instant time, byte[] content) {}

    /**
     * Docker's log read: streams to include, a time window ({@link Instant#MIN}/{@link Instant#MAX} when open),
     * {@code tail} the last N lines only (negative: all), {@code follow} keeps the stream open until the container
     * stops.
     */
    record LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow) {}

    /** A client attached to a container's stdio through its monitor. */
    interface Attachment {
        /**
         * The container's output from the moment of attaching (a TTY container's raw bytes come as STDOUT); completes
         * when the container's stdio closes.
         */
        Source<LogLine, NotUsed> output();

        /** Bytes for the container's stdin; completing it closes the container's stdin (half-close). */
        Sink<ByteString, NotUsed> input();

        /** Sets the TTY's size; ignored for a container without a TTY. */
        void resize(int height, int width);
    }

    CompletionStage<Created> create(CreateRequest request);

    /** This host's OCI runtimes, for {@code docker info}. */
    Runtimes runtimes();

    /** The full id of the container {@code ref} names. */
    CompletionStage<String> resolve(String ref);

    CompletionStage<ContainerEntity.State> inspect(String ref);

    /** Where container {@code containerId}'s log file is (Docker's {@code LogPath}), also before it first runs. */
    String logPath(String containerId);

    /** Every container that exists; {@code all == false} keeps the running and paused ones. Newest first. */
    CompletionStage<List<ContainerEntity.State>> list(boolean all);

    CompletionStage<ContainerEntity.State> start(String ref);

    /** The stop signal (the container's, else SIGTERM) then SIGKILL after {@code timeout} (else the container's). */
    CompletionStage<ContainerEntity.State> stop(String ref, Optional<Duration> timeout, Optional<String> signal);

    CompletionStage<ContainerEntity.State> restart(String ref, Optional<Duration> timeout);

    /** Sends {@code signal} ("KILL", "SIGTERM", "15"); a container that is not running is a {@code CONFLICT}. */
    CompletionStage<ContainerEntity.State> kill(String ref, String signal);

    CompletionStage<ContainerEntity.State> pause(String ref);

    CompletionStage<ContainerEntity.State> unpause(String ref);

    CompletionStage<ContainerEntity.State> rename(String ref, String newName);

    CompletionStage<ContainerEntity.State> update(String ref, ContainerResources resources, RestartPolicy restartPolicy);

    /** Removes the container, its runtime state, root filesystem and log; {@code force} kills it first. */
    CompletionStage<ContainerEntity.State> remove(String ref, boolean force, boolean volumes);

    /**
     * The outer stage completes once the container is found (so a client can be answered at once); the inner one when
     * {@code condition} is met.
     */
    CompletionStage<CompletionStage<Exit>> await(String ref, WaitCondition condition);

    /** Attaches to a created or running container; stdin is only connected when the container has it open. */
    CompletionStage<Attachment> attach(String ref);

    /** Sets the container's TTY size. */
    CompletionStage<ContainerEntity.State> resize(String ref, int height, int width);

    /** The outer stage completes once the container is found; the source then streams its log as asked. */
    CompletionStage<Source<LogLine, NotUsed>> logs(String ref, LogQuery query);

    // --- inspection: top, stats, changes, export, archive ---------------------------------------------------------

    /** {@code docker top}: the host's {@code ps} columns and the rows of the container's processes. */
    record ProcessList(List<String> titles, List<List<String>> processes) {}

    /** One line of {@code blkio.throttle.io_service_bytes}: a device, an operation ("Read", "Write", ...), bytes. */
    record BlockIo(long major, long minor, String op, long value) {}

    /** One network interface's traffic counters, in the container's network namespace. */
    record NetworkIo(String interfaceName, long rxBytes, long rxPackets, long rxErrors, long rxDropped, long txBytes,
                     long txPackets, long txErrors, long txDropped) {}

    /**
     * One reading of a container's resource counters, what {@code docker stats} computes its figures from. A
     * container that does not run reads as zeros with {@code running == false}. Times are nanoseconds.
     *
     * @param memoryStat     the cgroup's {@code memory.stat}, key by key
     * @param systemCpuNanos the host's CPU time since boot, all CPUs
     */
    record ResourceUsage(String containerId, String name, boolean running, Instant read, long pidsCurrent,
                         long pidsLimit, long memoryUsage, long memoryMaxUsage, long memoryLimit, long memoryFailcnt,
                         Map<String, Long> memoryStat, long cpuTotalNanos, List<Long> perCpuNanos,
                         long cpuKernelNanos, long cpuUserNanos, long cpuPeriods, long cpuThrottledPeriods,
                         long cpuThrottledNanos, List<BlockIo> ioServiceBytes, long systemCpuNanos, int onlineCpus,
                         List<NetworkIo> networks) {}

    /** {@code docker diff}'s kinds; {@link #code} is the number the Engine API sends. */
    enum ChangeKind {
        MODIFIED(0), ADDED(1), DELETED(2);

        private final int code;

        ChangeKind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** One line of {@code docker diff}: an absolute path inside the container. */
    record FileChange(String path, ChangeKind kind) {}

    /**
     * What {@code docker cp} learns about a path in a container before copying.
     *
     * @param name       the last element of the path as asked ({@code "."} for {@code /etc/.})
     * @param mode       the Unix {@code st_mode} (type and permission bits)
     * @param linkTarget for a symlink, the absolute path inside the container it resolves to; otherwise empty
     */
    record PathStat(String name, long size, int mode, Instant mtime, String linkTarget) {}

    /** A path of a container as a tar stream whose top entry is named {@link PathStat#name()}. */
    record PathArchive(PathStat stat, Source<ByteString, NotUsed> tar) {}

    /**
     * {@code docker top}: the host's {@code ps} (with {@code psArgs}, default {@code -ef}) kept to the processes in
     * the container's cgroup. {@code CONFLICT} "Container id is not running" when it does not run;
     * {@code INVALID_ARGUMENT} when ps refuses the arguments or prints no PID column.
     */
    CompletionStage<ProcessList> top(String ref, String psArgs);

    /** One reading of the container's counters (zeros when it does not run). */
    CompletionStage<ResourceUsage> stats(String ref);

    /** {@code docker diff}: what the container's writable layer holds, sorted by path; running or not. */
    CompletionStage<List<FileChange>> changes(String ref);

    /**
     * {@code docker export}: the container's whole filesystem as a tar. The root filesystem is mounted for the read
     * when the container does not run, and unmounted when the stream ends.
     */
    CompletionStage<Source<ByteString, NotUsed>> export(String ref);

    /**
     * Stats {@code path} inside the container as Docker does: the directories on the way are resolved as the
     * container would (symlinks followed within its root), the last element is not followed. {@code NOT_FOUND}
     * "Could not find the file path in container id" when it does not exist.
     */
    CompletionStage<PathStat> statPath(String ref, String path);

    /** {@code docker cp} out of a container: {@link #statPath} and the tar of that path. */
    CompletionStage<PathArchive> archive(String ref, String path);

    /**
     * {@code docker cp} into a container: extracts {@code tar} into the directory {@code path} names. Nothing is ever
     * written outside the container's root: an entry with {@code ..}, or one that would pass through a symlink, is
     * refused with {@code INVALID_ARGUMENT}. {@code noOverwriteDirNonDir} refuses to replace a directory with a
     * non-directory or the reverse.
     */
    CompletionStage<Void> extractArchive(String ref, String path, Source<ByteString, ?> tar,
                                         boolean noOverwriteDirNonDir);

    // --- commit ---------------------------------------------------------------------------------------------------

    /**
     * What {@code docker commit} makes an image of: the container as recorded and its writable layer.
     *
     * @param layerTar the changes as an image layer tar (whiteouts as {@code .wh.} files), a temporary file the caller
     *                 deletes
     */
    record ChangesLayer(ContainerEntity.State container, java.nio.file.Path layerTar) {}

    /**
     * The container's changes to its image as a layer, running or not; {@code pause} freezes a running container's
     * processes while the layer is read, so the layer is consistent.
     */
    CompletionStage<ChangesLayer> changesLayer(String ref, boolean pause);
}
