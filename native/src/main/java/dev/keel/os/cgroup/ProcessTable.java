package dev.keel.os.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker top}: the host's {@code ps} output (Docker's way: {@code ps} runs on the host with the client's
 * arguments, default {@code -ef}) kept to the rows of the given processes.
 *
 * @param titles    the header's columns
 * @param processes one row per process, as many fields as titles (the last one takes the rest of the line)
 */
public record ProcessTable(List<String> titles, List<List<String>> processes) {

    private static final long PS_TIMEOUT_SECONDS = 30;

    /**
     * Runs {@code ps} with {@code psArgs} (split on blanks; empty means {@code -ef}) and keeps the rows whose PID is
     * one of {@code pids}.
     *
     * @throws IllegalArgumentException when ps fails on the arguments or prints no PID column
     */
    public static ProcessTable of(Collection<Long> pids, String psArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("ps");
        String args = psArgs.isBlank() ? "-ef" : psArgs.trim();
        command.addAll(Arrays.asList(args.split("\\s+")));
        Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
        ps.getOutputStream().close();
        String output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!ps.waitFor(PS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                ps.destroyForcibly();
                throw new IOException("ps " + args + " did not finish within " + PS_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ps.destroyForcibly();
            throw new IOException("interrupted while waiting for ps", e);
        }
        if (ps.exitValue() != 0) {
            throw new IllegalArgumentException("Error running ps: exit status " + ps.exitValue() + ": "
                    + output.strip());
        }
        return parse(output, pids);
    }

    /** Docker's parsing: split on blanks, the last column keeps its spaces (a command line). */
    static ProcessTable parse(String output, Collection<Long> pids) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("ps printed nothing");
        }
        List<String> titles = List.of(lines.get(0).trim().split("\\s+"));
        int pidColumn = titles.indexOf("PID");
        if (pidColumn < 0) {
            throw new IllegalArgumentException("Couldn't find PID field in ps output");
        }
        Set<Long> wanted = new HashSet<>(pids);
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+", titles.size());
            if (fields.length <= pidColumn) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(fields[pidColumn]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (wanted.contains(pid)) {
                rows.add(List.of(fields));
            }
        }
        return new ProcessTable(titles, List.copyOf(rows));
    }
}
