package dev.keel.os.monitor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The monitor's control FIFO, {@code <bundle>/ctl}: one message {@code <type> <a> <b>\n} per write, type 1 resizing
 * the TTY to {@code a} rows and {@code b} columns, type 2 reopening the log. conmon handles only the first line of
 * each read, so every message is its own write (a conmon started by an older daemon may still be the monitor). The
 * FIFO is opened without blocking: the monitor holds its read end while it runs, and once it is gone
 * the open fails at once instead of waiting for a reader that never comes.
 *
 * @param fifo the {@code ctl} file, reached through {@code <socketDir>/<session>}, the monitor's link to the bundle
 */
public record MonitorControl(Path fifo) {

    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final int RESIZE = 1;
    private static final int REOPEN_LOG = 2;

    /** The control FIFO of session {@code session} (a container id or an exec session id). */
    public static MonitorControl of(Path socketDir, String session) {
        return new MonitorControl(socketDir.resolve(ContainerMonitor.attachName(session)).resolve("ctl"));
    }

    /**
     * Sets the TTY's size; the monitor ignores it for a container without one.
     *
     * @throws MonitorFailure when the monitor is not running or the FIFO cannot be written
     */
    public void resize(int rows, int columns) {
        if (rows < 0 || columns < 0) {
            throw new IllegalArgumentException("a TTY size cannot be negative: " + rows + "x" + columns);
        }
        send(RESIZE + " " + rows + " " + columns + "\n");
    }

    /**
     * Has the monitor reopen its log file by name (creating it), after {@link RotatingLog} renamed it.
     *
     * @throws MonitorFailure when the monitor is not running or the FIFO cannot be written
     */
    public void reopenLog() {
        send(REOPEN_LOG + " 0 0\n");
    }

    private void send(String message) {
        int fd = POSIX.open(fifo.toString(), OpenFlags.O_WRONLY.intValue() | OpenFlags.O_NONBLOCK.intValue()
            | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            int errno = POSIX.errno();
            if (errno == Errno.ENXIO.intValue() || errno == Errno.ENOENT.intValue()) {
                throw new MonitorFailure("the container's monitor is not running (" + fifo + ")");
            }
            throw new MonitorFailure("cannot open " + fifo + ": " + POSIX.strerror(errno));
        }
        try {
            byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
            if (POSIX.write(fd, bytes, bytes.length) != bytes.length) {
                throw new MonitorFailure("cannot write to " + fifo + ": " + POSIX.strerror(POSIX.errno()));
            }
        } finally {
            POSIX.close(fd);
        }
    }
}
