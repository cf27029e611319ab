package dev.keel.journal.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Runs {@code bin/keeld} the way an operator would (dockerd's flags) and measures it from outside:
 * time from launch until {@code GET /_ping} on its unix socket answers OK, and resident memory once idle.
 */
final class KeeldProbe {

    // Linux reports CPU times in /proc/PID/stat in clock ticks of 1/100 s (USER_HZ).
    private static final long NANOS_PER_CLOCK_TICK = 10_000_000L;
    private static final long PING_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int LOG_TAIL_LINES = 20;

    private final Path keeld;
    private final JournalBenchSettings settings;
    private final LongSupplier nanoClock;
    private final PrintStream out;

    KeeldProbe(Path keeld, JournalBenchSettings settings, LongSupplier nanoClock, PrintStream out) {
        this.keeld = keeld;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.out = out;
    }

    /** Idle RSS on {@code emptyRoot}, then start time on {@code loadedRoot}; each keeld is stopped with SIGTERM. */
    JournalBenchResult.KeeldFigures measure(Path emptyRoot, Path loadedRoot, Path runDir) throws Exception {
        double idleRssMb;
        try (Daemon daemon = launch(emptyRoot, Files.createDirectories(runDir.resolve("empty")))) {
            double pingS = daemon.awaitPing();
            idleRssMb = daemon.idleRssKb() / 1024.0;
            out.printf(Locale.ROOT, "journal: keeld on an empty data root: ping after %.2f s, idle RSS %.0f MB%n",
                pingS, idleRssMb);
        }
        double startS;
        try (Daemon daemon = launch(loadedRoot, Files.createDirectories(runDir.resolve("loaded")))) {
            startS = daemon.awaitPing();
            out.printf(Locale.ROOT, "journal: keeld on %d journaled events: ping after %.2f s%n",
                settings.recoveryEvents(), startS);
        }
        return new JournalBenchResult.KeeldFigures(idleRssMb, startS);
    }

    private Daemon launch(Path dataRoot, Path runDir) throws IOException {
        Path socket = runDir.resolve("keel.sock");
        Path pidfile = runDir.resolve("keeld.pid");
        Path log = runDir.resolve("keeld.log");
        // Short, outside the bench's directory: keeld's attach sockets (<exec-root>/runtime/socks/<id>/attach) must
        // fit in a unix socket path.
        Path execRoot = Files.createTempDirectory(Path.of("/tmp"), "kjb");
        ProcessBuilder builder = new ProcessBuilder(List.of(keeld.toString(),
            "--data-root", dataRoot.toString(),
            "-H", "unix://" + socket,
            "--exec-root", execRoot.toString(),
            "--pidfile", pidfile.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        long launchedNs = nanoClock.getAsLong();
        return new Daemon(builder.start(), launchedNs, socket, pidfile, log, execRoot);
    }

    private final class Daemon implements AutoCloseable {
        private final Process process;
        private final long launchedNs;
        private final Path socket;
        private final Path pidfile;
        private final Path log;
        private final Path execRoot;

        Daemon(Process process, long launchedNs, Path socket, Path pidfile, Path log, Path execRoot) {
            this.process = process;
            this.launchedNs = launchedNs;
            this.socket = socket;
            this.pidfile = pidfile;
            this.log = log;
            this.execRoot = execRoot;
        }

        /** Seconds from launch to the first OK ping. */
        double awaitPing() throws IOException {
            long deadlineNs = launchedNs + settings.keeldPingTimeout().toNanos();
            while (!pingOk()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("keeld exited with " + process.exitValue()
                        + " before answering /_ping; its log ends with:\n" + logTail());
                }
                if (nanoClock.getAsLong() > deadlineNs) {
                    throw new IllegalStateException("keeld did not answer /_ping within " + settings.keeldPingTimeout()
                        + "; its log ends with:\n" + logTail());
                }
                LockSupport.parkNanos(PING_RETRY_NS);
            }
            return (nanoClock.getAsLong() - launchedNs) / 1e9;
        }

        /** The log lives in the bench's temp directory, which is gone once the run ends. */
        private String logTail() throws IOException {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        }

        private boolean pingOk() {
            if (!Files.exists(socket)) {
                return false;
            }
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                channel.write(ByteBuffer.wrap(
                    "GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                StringBuilder response = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (channel.read(buffer) >= 0) {
                    buffer.flip();
                    response.append(StandardCharsets.UTF_8.decode(buffer));
                    buffer.clear();
                }
                String text = response.toString();
                return text.startsWith("HTTP/1.1 200") && text.endsWith("OK");
            } catch (IOException notListeningYet) {
                return false;
            }
        }

        /** VmRSS in kB once keeld has used less than the idle CPU budget during one idle window (or at the idle timeout). */
        long idleRssKb() throws IOException {
            long pid = daemonPid();
            long deadlineNs = nanoClock.getAsLong() + settings.keeldIdleTimeout().toNanos();
            long cpuTicks = cpuTicks(pid);
            while (nanoClock.getAsLong() < deadlineNs) {
                park(settings.keeldIdleWindow());
                long nowTicks = cpuTicks(pid);
                if ((nowTicks - cpuTicks) * NANOS_PER_CLOCK_TICK <= settings.keeldIdleCpu().toNanos()) {
                    return rssKb(pid);
                }
                cpuTicks = nowTicks;
            }
            out.println("journal: keeld still busy after " + settings.keeldIdleTimeout() + ", RSS read anyway");
            return rssKb(pid);
        }

        /** The daemon's own pid, from its pidfile when it wrote one (bin/keeld may be a wrapper script). */
        private long daemonPid() throws IOException {
            if (Files.exists(pidfile)) {
                String text = Files.readString(pidfile).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            return process.pid();
        }

        @Override
        public void close() throws IOException {
            Optional<ProcessHandle> daemon = ProcessHandle.of(daemonPid());
            daemon.ifPresent(ProcessHandle::destroy);
            process.destroy();
            boolean exited = exitedWithinStopTimeout(process.toHandle())
                && daemon.map(KeeldProbe.this::exitedWithinStopTimeout).orElse(true);
            if (!exited) {
                daemon.ifPresent(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                exitedWithinStopTimeout(process.toHandle());
                throw new IllegalStateException("keeld did not exit within " + settings.keeldStopTimeout() + " of SIGTERM; killed");
            }
            try (Stream<Path> paths = Files.walk(execRoot)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private boolean exitedWithinStopTimeout(ProcessHandle handle) {
        handle.onExit().completeOnTimeout(handle, settings.keeldStopTimeout().toNanos(), TimeUnit.NANOSECONDS).join();
        return !handle.isAlive();
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // fields after the parenthesised command name start at field 3; utime and stime are fields 14 and 15
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }

    private void park(Duration span) {
        long deadlineNs = nanoClock.getAsLong() + span.toNanos();
        for (long leftNs = span.toNanos(); leftNs > 0; leftNs = deadlineNs - nanoClock.getAsLong()) {
            LockSupport.parkNanos(leftNs);
        }
    }
}
