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
 * Spawns conmon for a container or an exec session and follows its sync-pipe protocol.
 *
 * <p>conmon runs in {@code --sync} mode (the recipe's variant A): it does not double-fork, so it stays this JVM's
 * child and the JDK reaps it, yet it calls {@code setsid()} and survives the JVM's death (it is then reparented to
 * init). The JDK passes no fds beyond 0-2, so a {@code /bin/sh} wrapper moves the child's stdin and stdout pipes to
 * fds 3 and 4 and names them in {@code _OCI_STARTPIPE} and {@code _OCI_SYNCPIPE}. The double-fork variant with
 * named FIFOs also works but needs FIFO files, open-order care and a reaping init; without {@code --sync} the JDK's
 * stdout pipe cannot be the sync pipe at all (the first conmon's exit closes it).
 *
 * <p>Protocol: conmon blocks on the start pipe until one byte arrives, runs {@code runtime create} (or {@code exec}),
 * then writes {@code {"data": <pid>}} or {@code {"data": -1, "message": "<runtime stderr>"}} to the sync pipe. An
 * exec session writes a second line, {@code {"data": <exit code>}}, when it ends.
 */
public final class Conmon {

    /** The longest name of a session in the socket directory; see {@link #attachName}. */
    public static final int ATTACH_NAME_CHARS = 32;

    private static final String WRAPPER = "exec 3<&0 4>&1 </dev/null >/dev/null; exec \"$@\"";

    private final Path conmonPath;
    private final Path runtimePath;
    private final Path runtimeRoot;
    private final Path socketDir;
    private final String logLevel;
    private final Duration createTimeout;
    private final ObjectMapper json;

    /**
     * @param runtimeRoot the OCI runtime's {@code --root}, the same for every call
     * @param socketDir where conmon links {@code <session>} to the bundle that holds the attach socket
     * @param createTimeout how long {@code runtime create} may take before conmon is killed
     */
    public Conmon(Path conmonPath, Path runtimePath, Path runtimeRoot, Path socketDir, String logLevel,
                  Duration createTimeout, ObjectMapper json) {
        this.conmonPath = conmonPath;
        this.runtimePath = runtimePath;
        this.runtimeRoot = runtimeRoot;
        this.socketDir = socketDir;
        this.logLevel = logLevel;
        this.createTimeout = createTimeout;
        this.json = json;
    }

    /** A monitor that has created (not yet started) its container. */
    public record StartedMonitor(Process process, MonitorRecord record) {}

    /**
     * Starts the monitor of container {@code id}, whose bundle ({@code config.json}) is {@code bundleDir}. Returns
     * when the runtime has created the container; the container's process waits for {@code runtime start}.
     *
     * @param persistDir gets {@code exit} and, after an OOM kill, {@code oom}
     * @param openStdin keep a pipe to the container's stdin, written through the attach socket; without a TTY an
     *     attach client that ends its input or goes away closes it (Docker's {@code StdinOnce}, what
     *     {@code docker run -i} asks), with one it stays open (Docker never closes a terminal's input; the pty is
     *     also the output)
     * @throws MonitorFailure with the runtime's message when the create failed
     */
    public StartedMonitor create(String id, Path bundleDir, Path logFile, Path exitDir, Path persistDir, boolean tty,
                                 boolean openStdin) {
        List<String> args = commonArgs(id, id, bundleDir, bundleDir.resolve("pidfile"), logFile, exitDir);
        args.addAll(List.of("-0", persistDir.toString()));
        if (tty) {
            args.add("-t");
        }
        if (openStdin) {
            args.add("--stdin");
            if (tty) {
                args.add("--leave-stdin-open");
            }
        }
        Process process = spawn(args, bundleDir, bundleDir.resolve("conmon.stderr"));
        AtomicBoolean synced = new AtomicBoolean();
        CompletableFuture.delayedExecutor(createTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!synced.get()) {
                process.destroyForcibly();
            }
        });
        try {
            long pid = readPid(process, bundleDir.resolve("conmon.stderr"));
            long ticks = HostProcess.startTicks(process.pid())
                .orElseThrow(() -> new MonitorFailure("conmon exited right after creating the container"));
            return new StartedMonitor(process, new MonitorRecord(process.pid(), ticks, pid));
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
        Path exitDir = sessionDir.resolve("exit");
        List<String> args = commonArgs(id, sessionId, sessionDir, sessionDir.resolve("exec_pid"), logFile, exitDir);
        args.addAll(List.of("-e", "--exec-process-spec", sessionDir.resolve("process.json").toString()));
        Process process = spawn(args, sessionDir, sessionDir.resolve("conmon.stderr"));
        readPid(process, sessionDir.resolve("conmon.stderr"));
        Optional<JsonNode> end = readMessage(process.getInputStream());
        waitFor(process);
        if (end.isPresent() && end.get().path("data").isInt()) {
            return end.get().get("data").asInt();
        }
        try {
            return Integer.parseInt(Files.readString(exitDir.resolve(id)).trim());
        } catch (IOException e) {
            throw new MonitorFailure("exec ended without an exit code: " + stderrOf(sessionDir.resolve("conmon.stderr")));
        }
    }

    /**
     * The name of a session's entry in the socket directory (conmon's {@code --cuuid}): at most
     * {@value #ATTACH_NAME_CHARS} characters of the session id, so that {@code <socket-dir>/<name>/attach} fits in a
     * unix socket path (107 bytes) under a test's or an operator's longer exec root. Container ids are random, so their
     * first 32 hex characters are as unique as the whole.
     */
    public static String attachName(String sessionId) {
        return sessionId.length() <= ATTACH_NAME_CHARS ? sessionId : sessionId.substring(0, ATTACH_NAME_CHARS);
    }

    private List<String> commonArgs(String id, String sessionId, Path bundleDir, Path pidFile, Path logFile,
                                    Path exitDir) {
        return new ArrayList<>(List.of(
            conmonPath.toString(), "--api-version", "1",
            "-c", id, "-u", attachName(sessionId), "-n", id,
            "-r", runtimePath.toString(), "--runtime-arg=--root=" + runtimeRoot,
            "-b", bundleDir.toString(), "-p", pidFile.toString(),
            "-l", "k8s-file:" + logFile,
            "--exit-dir", exitDir.toString(),
            "--socket-dir-path", socketDir.toString(),
            "--log-level", logLevel,
            "--sync"));
    }

    private Process spawn(List<String> conmonArgs, Path cwd, Path stderrFile) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "conmon-wrap"));
        command.addAll(conmonArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(cwd.toFile()) // conmon writes the oom marker into its cwd
            .redirectError(stderrFile.toFile());
        // conmon and the runtime need nothing from the daemon's environment (the container's comes from its
        // bundle); a clean one keeps locale data and the daemon's settings out of every monitor.
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("_OCI_STARTPIPE", "3");
        builder.environment().put("_OCI_SYNCPIPE", "4");
        // conmon stamps log lines with its local time; UTC keeps them comparable across hosts and restarts.
        builder.environment().put("TZ", "UTC");
        try {
            Process process = builder.start();
            try (OutputStream start = process.getOutputStream()) {
                start.write(0);
            }
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + conmonPath, e);
        }
    }

    private long readPid(Process process, Path stderrFile) {
        Optional<JsonNode> message = readMessage(process.getInputStream());
        if (message.isEmpty()) {
            waitFor(process);
            throw new MonitorFailure("conmon exited (status " + process.exitValue() + ") before reporting: "
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

    /** One JSON line from the sync pipe; empty at EOF (conmon exited). */
    private Optional<JsonNode> readMessage(InputStream sync) {
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
            throw new UncheckedIOException("reading conmon's sync pipe", e);
        }
    }

    private void waitFor(Process process) {
        try {
            if (!process.waitFor(createTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MonitorFailure("interrupted while waiting for conmon");
        }
    }

    private static String stderrOf(Path stderrFile) {
        try {
            return Files.readString(stderrFile).trim();
        } catch (IOException e) {
            return "(no conmon stderr)";
        }
    }
}
