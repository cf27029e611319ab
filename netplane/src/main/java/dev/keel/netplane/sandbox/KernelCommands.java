package dev.keel.netplane.sandbox;

import dev.keel.netplane.spi.NetworkFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the host's {@code ip} and {@code iptables-restore} with a script on standard input, one process per call, so
 * that a whole change to links, addresses, routes or rules costs one fork. A process started on a thread that is
 * inside a network namespace works in that namespace.
 *
 * <p>Counts the processes it starts: attach latency is mostly process starts, and the count is what keeps it low.
 */
public final class KernelCommands {

    private final AtomicLong started = new AtomicLong();

    /** Runs {@code ip -batch -} with one command per line; stops at the first that fails. */
    public void ipBatch(List<String> lines) {
        if (!lines.isEmpty()) {
            run(List.of("ip", "-batch", "-"), String.join("\n", lines) + "\n");
        }
    }

    /** Runs a tool with {@code script} on its standard input and answers its standard output. */
    public String run(List<String> argv, String script) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        started.incrementAndGet();
        try {
            Process process = builder.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            String output;
            try (InputStream out = process.getInputStream()) {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status = process.waitFor();
            if (status != 0) {
                throw new NetworkFailure(NetworkFailure.Kind.FAILED,
                        String.join(" ", argv) + " failed (" + status + "): " + output.strip()
                                + "\ninput:\n" + script);
            }
            return output;
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "interrupted while running " + argv.get(0), e);
        }
    }

    /** Runs a tool without input and answers its output. */
    public String run(String... argv) {
        return run(List.of(argv), "");
    }

    /** How many processes this instance has started. */
    public long processesStarted() {
        return started.get();
    }
}
