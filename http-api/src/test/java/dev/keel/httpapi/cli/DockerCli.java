package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
        return run(ProcessBuilder.Redirect.PIPE, args);
    }

    /** Runs a command with {@code input} as its standard input, which then ends (EOF), as a shell pipe gives it. */
    Result runWithInput(String input, String... args) throws IOException, InterruptedException {
        Path in = Files.createTempFile(configDir, "in", ".txt");
        try {
            Files.writeString(in, input, StandardCharsets.UTF_8);
            return run(ProcessBuilder.Redirect.from(in.toFile()), args);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /** The command line that runs this CLI with {@code args} in its own environment, for a terminal to start. */
    List<String> commandLine(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "-u", "DOCKER_HOST", "-u", "DOCKER_CONTEXT",
                "DOCKER_CONFIG=" + configDir));
        command.addAll(cliArguments(args));
        return command;
    }

    private List<String> cliArguments(String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-H", "unix://" + socket));
        command.addAll(List.of(args));
        return command;
    }

    private Result run(ProcessBuilder.Redirect input, String... args) throws IOException, InterruptedException {
        List<String> command = cliArguments(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(input);
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

    /** Docker's unix timestamp form, which both CLIs pass to the daemon unchanged. */
    static String timestamp(Instant instant) {
        return instant.getEpochSecond() + "." + String.format("%09d", instant.getNano());
    }
}
