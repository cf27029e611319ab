package dev.keel.httpapi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A detached tmux session: a real terminal for {@code docker run -it} and {@code docker exec -it}, typed into with
 * send-keys and read with capture-pane. Each session runs on a tmux server of its own, on a socket the test places, so
 * tests never meet a user's tmux or each other's, and nothing is left in tmux's shared directory.
 */
record TmuxSession(Path socket, String name) {

    private static final long TMUX_TIMEOUT_SECONDS = 10;
    private static final String COLUMNS = "160";
    private static final String ROWS = "40";

    /** Starts {@code command} in a new detached session; the session ends when the command does. */
    static TmuxSession start(Path socket, String name, List<String> command) throws IOException, InterruptedException {
        TmuxSession session = new TmuxSession(socket, name);
        List<String> args = new ArrayList<>(List.of("new-session", "-d", "-s", name, "-x", COLUMNS, "-y", ROWS));
        args.addAll(command);
        session.tmux(args.toArray(String[]::new));
        return session;
    }

    /** Types {@code line} and Enter. The line is sent literally, so tmux reads none of it as a key name. */
    void typeLine(String line) throws IOException, InterruptedException {
        tmux("send-keys", "-t", name, "-l", line);
        tmux("send-keys", "-t", name, "Enter");
    }

    /** What the terminal shows now. */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", name);
    }

    boolean isOpen() throws IOException, InterruptedException {
        return exec("has-session", "-t", name).exitValue() == 0;
    }

    /** Ends the session (and so its server and the command in it) if it is still there; tmux leaves its socket. */
    void kill() throws IOException, InterruptedException {
        exec("kill-server");
        Files.deleteIfExists(socket);
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        Process process = exec(args);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }

    private Process exec(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(TMUX_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " did not end in " + TMUX_TIMEOUT_SECONDS
                    + "s");
        }
        return process;
    }
}
