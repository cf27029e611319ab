package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One docker CLI binary pointed at keeld's socket, with a config directory of its own (no user settings). */
record DockerCli(Path binary, String socket, Path configDir) {

    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    /** What one command printed and how it exited. */
    record Result(int exitCode, String out, String err) {

        boolean ok() {
            return exitCode == 0;
        }

        List<String> lines() {
            return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /** Which of the two CLIs: Debian's 20.10 at /usr/bin, the current 28.x at /usr/local/bin. */
    String name() {
        return binary.toString().equals("/usr/bin/docker") ? "docker-20.10" : "docker-28";
    }

    @Override
    public String toString() {
        return name();
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-H", "unix://" + socket));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("DOCKER_HOST");
        builder.environment().remove("DOCKER_CONTEXT");
        builder.environment().put("DOCKER_CONFIG", configDir.toString());
        Path out = Files.createTempFile(configDir, "out", ".txt");
        Path err = Files.createTempFile(configDir, "err", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not end in " + COMMAND_TIMEOUT_SECONDS
                        + "s; stderr: " + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a command that must succeed and answers its standard output, stripped. */
    String ok(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (!result.ok()) {
            throw new AssertionError(name() + " " + String.join(" ", args) + " failed: " + result);
        }
        return result.out().strip();
    }
}
