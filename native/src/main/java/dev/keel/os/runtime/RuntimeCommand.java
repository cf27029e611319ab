package dev.keel.os.runtime;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the OCI runtime's command line ({@code runc --root R <command> ...}) and captures what it says. */
final class RuntimeCommand {

    /** runc's logrus lines: {@code time="..." level=error msg="container not running"}. */
    private static final Pattern MSG = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Outcome(int exitCode, String stdout, String stderr) {

        boolean succeeded() {
            return exitCode == 0;
        }

        /** The runtime's own error message, without logrus decoration. */
        String message() {
            return messageOf(stderr);
        }
    }

    /** The last logrus {@code msg="..."} of the runtime's stderr, unescaped; the whole text if there is none. */
    static String messageOf(String stderr) {
        Matcher m = MSG.matcher(stderr);
        String last = null;
        while (m.find()) {
            last = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return last != null ? last : stderr.trim();
    }

    private final List<String> prefix;
    private final Duration timeout;

    /** @param options the runtime's global options, before every command ({@code --root R} and the operator's) */
    RuntimeCommand(String runtimePath, List<String> options, Duration timeout) {
        List<String> start = new ArrayList<>(List.of(runtimePath));
        start.addAll(options);
        this.prefix = List.copyOf(start);
        this.timeout = timeout;
    }

    Outcome run(String... args) {
        return run(null, args);
    }

    /** @param stdin what the runtime reads on its standard input; {@code null} gives it /dev/null */
    Outcome run(byte[] stdin, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(args));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            process = builder.start();
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + prefix.get(0), e);
        }
        // A watchdog instead of a timed read: the runtime is killed if it hangs, which ends both reads.
        AtomicBoolean settled = new AtomicBoolean();
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (settled.compareAndSet(false, true)) {
                process.destroyForcibly();
            }
        });
        StringBuilder stderr = new StringBuilder();
        Thread stderrReader = new Thread(() -> stderr.append(readAll(process.getErrorStream())), "runtime-stderr");
        stderrReader.start();
        String stdout = readAll(process.getInputStream());
        try {
            int exitCode = process.waitFor();
            stderrReader.join();
            if (!settled.compareAndSet(false, true)) {
                throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED,
                    String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Outcome(exitCode, stdout, stderr.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, "interrupted while running " + command);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
