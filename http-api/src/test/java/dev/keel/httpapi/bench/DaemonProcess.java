package dev.keel.httpapi.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A daemon under bench (keeld or dockerd): started, ready once {@code GET /_ping} answers OK over TCP, stopped with
 * SIGTERM. Its output is kept (the last 100 lines are shown) for the error when it fails.
 */
final class DaemonProcess {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final String name;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private DaemonProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static DaemonProcess start(String name, List<String> command, Map<String, String> environment, URI engine,
            HttpClient http) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        DaemonProcess daemon = new DaemonProcess(name, builder.start());
        Thread reader = new Thread(daemon::readOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
        HttpRequest ping = HttpRequest.newBuilder(engine.resolve("/_ping")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!daemon.process.isAlive()) {
                throw new IllegalStateException(name + " exited " + daemon.process.exitValue() + " before it answered "
                        + ping.uri() + ":\n" + daemon.log());
            }
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.ofString()).body().equals("OK")) {
                    return daemon;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                daemon.process.destroyForcibly().waitFor();
                throw new IllegalStateException(name + " did not answer " + ping.uri() + " in " + START_TIMEOUT + ":\n"
                        + daemon.log());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add(name + "'s output could not be read: " + e);
        }
    }

    String log() {
        List<String> lines = List.copyOf(output);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 100), lines.size()));
    }

    /** SIGTERM, as an operator stops it, then SIGKILL if it has not exited in time. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
