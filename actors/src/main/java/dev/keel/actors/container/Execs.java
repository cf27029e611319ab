package dev.keel.actors.container;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Docker's exec instances: a process run beside a running container's own, in its namespaces and cgroup.
 *
 * <p>Lifecycle: {@link #create} checks that the container runs and keeps the request under a new id; {@link #startAttached}
 * or {@link #startDetached} runs it once (a second start is a {@code CONFLICT}); when the process ends its exit code is
 * recorded, and {@link #inspect} shows it. Instances live in memory, as in dockerd: they are not events of the
 * container, go with its removal and do not survive a restart of keeld (a running exec's process does: it has its own
 * monitor).
 *
 * <p>Futures fail with a {@link dev.keel.actors.EngineFailure}: {@code NOT_FOUND} "No such exec instance: id" or
 * "No such container: ref", {@code CONFLICT} "Container id is not running" (or paused), or an exec started twice,
 * {@code INVALID_ARGUMENT} for an empty command or a relative working directory.
 */
public interface Execs {

    /**
     * What {@code POST /containers/{id}/exec} asks for.
     *
     * @param env        {@code KEY=value} entries added to (and overriding) the container's
     * @param workingDir absolute; empty for the container's
     * @param user       "name", "uid", "uid:gid" or "name:group"; empty for the container's
     * @param detachKeys kept for the client's own use; empty for the default
     */
    record ExecRequest(List<String> cmd, List<String> env, String workingDir, String user, boolean tty,
                       boolean attachStdin, boolean attachStdout, boolean attachStderr, boolean privileged,
                       String detachKeys) {

        public ExecRequest {
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
        }
    }

    /**
     * An exec instance as {@code GET /exec/{id}/json} shows it.
     *
     * @param pid      the process's pid on the host; 0 before it started
     * @param exitCode empty until the process has ended (or failed to start)
     */
    record ExecState(String execId, String containerId, ExecRequest request, boolean running, long pid,
                     Optional<Integer> exitCode) {}

    /** Answers the new instance's id; the container must be running. */
    CompletionStage<String> create(String containerRef, ExecRequest request);

    CompletionStage<ExecState> inspect(String execId);

    /**
     * Runs the instance with its stdio attached. The attachment's output completes once the process has ended and its
     * exit code is recorded (so a client that inspects the instance next sees it). A process that cannot start (no
     * such command, unknown user) still gives an attachment: its output is the runtime's message, and the exit code is
     * recorded as Docker's 126 (or 127 for a command not found).
     */
    CompletionStage<Containers.Attachment> startAttached(String execId);

    /** Runs the instance in the background; completes once the process runs. */
    CompletionStage<ExecState> startDetached(String execId);

    /** Sets the TTY size of a running instance; ignored for one that does not run or has no TTY. */
    CompletionStage<ExecState> resize(String execId, int height, int width);
}
