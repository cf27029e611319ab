package dev.keel.os.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Spawns keel-monitor, the project's per-container monitor ({@code native/src/main/c/keel-monitor.c}), for a
 * container or an exec session and follows its sync-pipe protocol. keel-monitor takes the part of conmon's command
 * line and protocols described in CONMON_RECIPE.md §4-§10 (so a conmon left running by an older keeld is still
 * understood) and writes Docker's json-file log ({@link JsonFileLog}).
 *
 * <p>The monitor runs in {@code --sync} mode (the recipe's variant A): it does not double-fork, so it stays this
 * JVM's child and the JDK reaps it, yet it calls {@code setsid()} and survives the JVM's death (it is then reparented
 * to init). The JDK passes no fds beyond 0-2: the monitor's stdin and stdout are its start and sync pipes
 * ({@code _OCI_STARTPIPE=0}, {@code _OCI_SYNCPIPE=1}; it moves them and puts /dev/null in their place). An attached
 * exec needs a third pipe: a {@code /bin/sh} wrapper moves the three to fds 3, 4 and 5.
 *
 * <p>Protocol: the monitor blocks on the start pipe until one byte arrives, runs {@code runtime create} (or
 * {@code run --detach}, or {@code exec}), then writes {@code {"data": <pid>}} or
 * {@code {"data": -1, "message": "<runtime stderr>"}} to the sync pipe. An exec session writes a second line, {@code {"data": <exit code>}}, when it ends.
 */
public final class ContainerMonitor {

    /** The longest name of a session in the socket directory; see {@link #attachName}. */
    public static final int ATTACH_NAME_CHARS = 32;

    /** Where the monitor's own messages go, in its bundle or session directory. */
    static final String STDERR_FILE = "monitor.stderr";

    /** The wrapper of an attached exec: the JDK's stderr pipe becomes the attach pipe, the monitor's goes to $1. */
    private static final String ATTACH_WRAPPER =
        "exec 3<&0 4>&1 5>&2 </dev/null >/dev/null 2>\"$1\"; shift; exec \"$@\"";

    private final Path monitorPath;
    private final Path runtimePath;
    private final List<String> runtimeOptions;
    private final Path socketDir;
    private final String logLevel;
    private final Duration createTimeout;
    private final ObjectMapper json;

    /**
     * @param runtimeOptions the OCI runtime's global options ({@code --root R} and the operator's), the same for every
     *     call
     * @param monitorPath the keel-monitor binary ({@link MonitorBinary})
     * @param socketDir where the monitor links {@code <session>} to the bundle that holds the attach socket
     * @param createTimeout how long {@code runtime create} may take before the monitor is killed
     */
    public ContainerMonitor(Path monitorPath, Path runtimePath, List<String> runtimeOptions, Path socketDir,
                            String logLevel, Duration createTimeout, ObjectMapper json) {
        this.monitorPath = monitorPath;
        this.runtimePath = runtimePath;
        this.runtimeOptions = List.copyOf(runtimeOptions);
        this.socketDir = socketDir;
        this.logLevel = logLevel;
        this.createTimeout = createTimeout;
        this.json = json;
    }

    /** A monitor that has created (and with {@code start}, started) its container. */
    public record StartedMonitor(Process process, MonitorRecord record) {}

    /**
     * Starts the monitor of container {@code id}, whose bundle ({@code config.json}) is {@code bundleDir}. Returns
     * when the runtime has created the container; the container's process waits for {@code runtime start}, unless
     * {@code start}: then the runtime starts it at once ({@code runtime run --detach}, one runtime execution instead
     * of two).
     *
     * @param persistDir gets {@code exit} and, after an OOM kill, {@code oom}
     * @param openStdin keep a pipe to the container's stdin, written through the attach socket; without a TTY an
     *     attach client that ends its input or goes away closes it (Docker's {@code StdinOnce}, what
     *     {@code docker run -i} asks), with one it stays open (Docker never closes a terminal's input; the pty is
     *     also the output)
     * @throws MonitorFailure with the runtime's message when the create failed
     */
    public StartedMonitor create(String id, Path bundleDir, Path logFile, Path exitDir, Path persistDir, boolean tty,
                                 boolean openStdin, boolean start) {
        List<String> args = commonArgs(id, id, bundleDir, bundleDir.resolve("pidfile"), logFile, exitDir);
        args.addAll(List.of("-0", persistDir.toString()));
        if (start) {
            args.add("--run");
        }
        if (tty) {
            args.add("-t");
        }
        if (openStdin) {
            args.add("--stdin");
            if (tty) {
                args.add("--leave-stdin-open");
            }
        }
        Process process = spawn(args, bundleDir, bundleDir.resolve(STDERR_FILE));
        // Read while the monitor waits for its go-ahead: a container run at once may end, and its monitor with it,
        // before the pid is reported.
        Optional<Long> ticks = HostProcess.startTicks(process.pid());
        goAhead(process);
        AtomicBoolean synced = new AtomicBoolean();
        CompletableFuture.delayedExecutor(createTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!synced.get()) {
                process.destroyForcibly();
            }
        });
        try {
            long pid = readPid(process, bundleDir.resolve(STDERR_FILE));
            return new StartedMonitor(process, new MonitorRecord(process.pid(), ticks
                .orElseThrow(() -> new MonitorFailure("the monitor exited before it started")), pid));
        } finally {
            synced.set(true);
        }
    }

    /**
     * Runs one exec session in container {@code id} and waits for it to end.
     *
     * @param sessionDir the session's own directory: its log, pid file, exit dir and the {@code process.json}
     *     (an OCI process spec) to run
     * @return the exec's exit code
     * @throws MonitorFailure with the runtime's message when the exec could not start
     */
    public int exec(String id, String sessionId, Path sessionDir, Path logFile) {
        ExecMonitor session = prepareExec(id, sessionId, sessionDir, logFile, false, false, false, () -> { });
        session.start();
        return session.awaitExit();
    }

    /**
     * Spawns the monitor of one exec session in container {@code id} and returns once it waits for its go-ahead
     * ({@link ExecMonitor#start}); with {@code attach}, its attach socket ({@link AttachSocket#path} of
     * {@code sessionId}) is then listening, so a client that connects before the go-ahead sees all output.
     *
     * @param sessionDir the session's own directory: its log, pid file, exit dir, control FIFO and the
     *     {@code process.json} (an OCI process spec, its {@code terminal} set as {@code tty}) to run
     * @param openStdin keep a pipe to the exec's stdin, written through the attach socket
     * @param cleanup removes the session's files once the exec has ended or could not start
     * @throws MonitorFailure when the monitor could not get ready
     */
    public ExecMonitor prepareExec(String id, String sessionId, Path sessionDir, Path logFile, boolean tty,
                                   boolean openStdin, boolean attach, Runnable cleanup) {
        Path exitDir = sessionDir.resolve("exit");
        Path stderrFile = sessionDir.resolve(STDERR_FILE);
        List<String> args = commonArgs(id, sessionId, sessionDir, sessionDir.resolve("exec_pid"), logFile, exitDir);
        args.addAll(List.of("-e", "--exec-process-spec", sessionDir.resolve("process.json").toString()));
        if (tty) {
            args.add("-t");
        }
        if (openStdin) {
            args.add("-i");
            if (tty) {
                // As for a container: closing a terminal's input would close the pty that is also its output.
                args.add("--leave-stdin-open");
            }
        }
        if (!attach) {
            Process process = spawn(args, sessionDir, stderrFile);
            goAhead(process);
            return new ExecMonitor(this, process, null, stderrFile, exitDir.resolve(id), cleanup);
        }
        args.add("--exec-attach");
        Process process = spawnAttached(args, sessionDir, stderrFile);
        try {
            // First go-ahead byte: the monitor binds the attach socket, says so on the attach pipe, then waits for the
            // second.
            process.getOutputStream().write(0);
            process.getOutputStream().flush();
            Optional<JsonNode> ready = readMessage(process.getErrorStream());
            if (ready.isEmpty() || ready.get().path("data").asInt(-1) != 0) {
                throw new MonitorFailure("the monitor did not open the exec's attach socket: "
                    + ready.map(JsonNode::toString).orElseGet(() -> stderrOf(stderrFile)));
            }
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            waitFor(process);
            cleanup.run();
            if (e instanceof MonitorFailure failure) {
                throw failure;
            }
            throw new MonitorFailure("the monitor exited before it was ready: " + stderrOf(stderrFile));
        }
        return new ExecMonitor(this, process, process.getOutputStream(), stderrFile, exitDir.resolve(id), cleanup);
    }

    /**
     * The name of a session's entry in the socket directory (the monitor's {@code --cuuid}): at most
     * {@value #ATTACH_NAME_CHARS} characters of the session id, so that {@code <socket-dir>/<name>/attach} fits in a
     * unix socket path (107 bytes) under a test's or an operator's longer exec root. Container ids are random, so their
     * first 32 hex characters are as unique as the whole.
     */
    public static String attachName(String sessionId) {
        return sessionId.length() <= ATTACH_NAME_CHARS ? sessionId : sessionId.substring(0, ATTACH_NAME_CHARS);
    }

    private List<String> commonArgs(String id, String sessionId, Path bundleDir, Path pidFile, Path logFile,
                                    Path exitDir) {
        List<String> args = new ArrayList<>(List.of(
            monitorPath.toString(), "--api-version", "1",
            "-c", id, "-u", attachName(sessionId), "-n", id,
            "-r", runtimePath.toString()));
        runtimeOptions.forEach(option -> args.add("--runtime-arg=" + option));
        args.addAll(List.of(
            "-b", bundleDir.toString(), "-p", pidFile.toString(),
            "-l", "json-file:" + logFile,
            "--exit-dir", exitDir.toString(),
            "--socket-dir-path", socketDir.toString(),
            "--log-level", logLevel,
            "--sync"));
        return args;
    }

    private Process spawn(List<String> monitorArgs, Path cwd, Path stderrFile) {
        ProcessBuilder builder = new ProcessBuilder(monitorArgs)
            .directory(cwd.toFile()) // the monitor writes the oom marker into its cwd
            .redirectError(stderrFile.toFile());
        try {
            return start(builder, "0", "1", null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + monitorPath, e);
        }
    }

    /** The one go-ahead byte a monitor {@link #spawn spawned} waits for; the start pipe is then closed. */
    private void goAhead(Process process) {
        try (OutputStream start = process.getOutputStream()) {
            start.write(0);
        } catch (IOException e) {
            // The monitor is gone already: its sync pipe tells why.
        }
    }

    /** Spawns the monitor with a third pipe, {@code _OCI_ATTACHPIPE}; its start pipe stays open for two go-aheads. */
    private Process spawnAttached(List<String> monitorArgs, Path cwd, Path stderrFile) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", ATTACH_WRAPPER, "monitor-wrap",
            stderrFile.toString()));
        command.addAll(monitorArgs);
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        try {
            return start(builder, "3", "4", "5");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + monitorPath, e);
        }
    }

    /** Starts the monitor with its pipes at these fds; {@code attachPipe} null for none. */
    private static Process start(ProcessBuilder builder, String startPipe, String syncPipe, String attachPipe)
            throws IOException {
        // The monitor and the runtime need nothing from the daemon's environment (the container's comes from its
        // bundle); a clean one keeps locale data and the daemon's settings out of every monitor.
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("_OCI_STARTPIPE", startPipe);
        builder.environment().put("_OCI_SYNCPIPE", syncPipe);
        if (attachPipe != null) {
            builder.environment().put("_OCI_ATTACHPIPE", attachPipe);
        }
        return builder.start();
    }

    long readPid(Process process, Path stderrFile) {
        Optional<JsonNode> message = readMessage(process.getInputStream());
        if (message.isEmpty()) {
            waitFor(process);
            throw new MonitorFailure("the monitor exited (status " + process.exitValue() + ") before reporting: "
                + stderrOf(stderrFile));
        }
        long pid = message.get().path("data").asLong(-1);
        if (pid <= 0) {
            waitFor(process);
            String text = message.get().path("message").asText("");
            throw new MonitorFailure(text.isBlank() ? "the runtime failed: " + stderrOf(stderrFile) : text.trim());
        }
        return pid;
    }

    /** One JSON line from the sync pipe; empty at EOF (the monitor exited). */
    Optional<JsonNode> readMessage(InputStream sync) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = sync.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            if (line.size() == 0) {
                return Optional.empty();
            }
            return Optional.of(json.readTree(line.toString(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the monitor's sync pipe", e);
        }
    }

    void waitFor(Process process) {
        try {
            if (!process.waitFor(createTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MonitorFailure("interrupted while waiting for the monitor");
        }
    }

    static String stderrOf(Path stderrFile) {
        try {
            return Files.readString(stderrFile).trim();
        } catch (IOException e) {
            return "(no monitor stderr)";
        }
    }
}
