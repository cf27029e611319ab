package dev.keel.os.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The monitor of one exec session, from its spawn to the exec's end (CONMON_RECIPE §10). It waits for a go-ahead
 * before it runs {@code runtime exec}, so that an attach client can connect first and miss no output: {@link #start}
 * gives it and answers the exec's pid, {@link #awaitExit} blocks until the exec ends. Both block; call them from a
 * thread that may wait. The session's files are removed once: when the exec has ended or failed to start, or when a
 * session that was never started is {@link #close closed}.
 */
public final class ExecMonitor implements AutoCloseable {

    private final ContainerMonitor monitors;
    private final Process process;
    /** The start pipe, still open when the monitor waits for the second byte (an attached session). */
    private final OutputStream startPipe;
    private final Path stderrFile;
    private final Path exitFile;
    private final Runnable cleanup;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean cleaned = new AtomicBoolean();

    ExecMonitor(ContainerMonitor monitors, Process process, OutputStream startPipe, Path stderrFile, Path exitFile,
                Runnable cleanup) {
        this.monitors = monitors;
        this.process = process;
        this.startPipe = startPipe;
        this.stderrFile = stderrFile;
        this.exitFile = exitFile;
        this.cleanup = cleanup;
    }

    /**
     * Lets the monitor run the exec.
     *
     * @return the exec's pid on the host
     * @throws MonitorFailure with the runtime's message when the exec could not start (the session is then gone)
     */
    public long start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the exec session was started already");
        }
        try {
            if (startPipe != null) {
                try (startPipe) {
                    startPipe.write(0);
                } catch (IOException e) {
                    // The monitor is gone already: reading its sync pipe tells why.
                }
            }
            return monitors.readPid(process, stderrFile);
        } catch (RuntimeException e) {
            monitors.waitFor(process);
            clean();
            throw e;
        }
    }

    /** Waits for the exec started by {@link #start} to end and answers its exit code. */
    public int awaitExit() {
        try {
            var end = monitors.readMessage(process.getInputStream());
            monitors.waitFor(process);
            if (end.isPresent() && end.get().path("data").isInt()) {
                return end.get().get("data").asInt();
            }
            try {
                return Integer.parseInt(Files.readString(exitFile).trim());
            } catch (IOException | NumberFormatException e) {
                throw new MonitorFailure("exec ended without an exit code: " + ContainerMonitor.stderrOf(stderrFile));
            }
        } finally {
            clean();
        }
    }

    /**
     * Abandons a session that was never started: the monitor is killed before it runs anything (closing its start pipe
     * alone would let it go ahead). A started session is left to end; {@link #awaitExit} cleans it up.
     */
    @Override
    public void close() {
        if (started.get()) {
            return;
        }
        process.destroyForcibly();
        monitors.waitFor(process);
        clean();
    }

    private void clean() {
        if (cleaned.compareAndSet(false, true)) {
            cleanup.run();
        }
    }
}
