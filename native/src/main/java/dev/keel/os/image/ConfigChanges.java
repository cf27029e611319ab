package dev.keel.os.image;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies {@code docker import --change} instructions (Dockerfile syntax, one instruction each) to the
 * container defaults of an image: CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL.
 */
public final class ConfigChanges {
    private static final Set<String> DOCKERFILE_ONLY = Set.of(
        "RUN", "FROM", "COPY", "ADD", "ARG", "SHELL", "MAINTAINER", "HEALTHCHECK", "ONBUILD");
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final ImageJson json;

    public ConfigChanges(ImageJson json) {
        this.json = json;
    }

    /** The defaults after every change in order; a bad change throws and nothing is applied. */
    public ContainerDefaults apply(ContainerDefaults base, List<String> changes) {
        Builder b = new Builder(base);
        for (String change : changes) {
            applyOne(b, change.strip());
        }
        return b.build();
    }

    private void applyOne(Builder b, String change) {
        int space = indexOfWhitespace(change);
        String instruction = (space < 0 ? change : change.substring(0, space)).toUpperCase(Locale.ROOT);
        String rest = space < 0 ? "" : change.substring(space).strip();
        if (instruction.isEmpty()) {
            throw new IllegalArgumentException("empty change instruction");
        }
        switch (instruction) {
            case "CMD" -> b.cmd = command(rest);
            case "ENTRYPOINT" -> b.entrypoint = command(rest);
            case "ENV" -> keyValues(rest, true, "ENV").forEach((k, v) -> setEnv(b, k, v));
            case "LABEL" -> b.labels.putAll(keyValues(rest, false, "LABEL"));
            case "WORKDIR" -> b.workingDir = workdir(b.workingDir, required(rest, "WORKDIR"));
            case "USER" -> b.user = required(rest, "USER");
            case "STOPSIGNAL" -> b.stopSignal = required(rest, "STOPSIGNAL");
            case "EXPOSE" -> {
                for (String port : words(required(rest, "EXPOSE"))) {
                    b.exposedPorts.put(portSpec(port), Map.of());
                }
            }
            case "VOLUME" -> {
                List<String> volumes = rest.startsWith("[") ? jsonArray(rest, "VOLUME") : words(required(rest, "VOLUME"));
                volumes.forEach(v -> b.volumes.put(v, Map.of()));
            }
            default -> throw new IllegalArgumentException(DOCKERFILE_ONLY.contains(instruction)
                ? instruction + " is not a valid change command"
                : "unknown instruction: " + instruction);
        }
    }

    private List<String> command(String rest) {
        if (rest.startsWith("[")) {
            return jsonArray(rest, "CMD/ENTRYPOINT");
        }
        return rest.isEmpty() ? List.of() : List.of("/bin/sh", "-c", rest);
    }

    private List<String> jsonArray(String rest, String instruction) {
        try {
            return json.mapper().readValue(rest, STRINGS);
        } catch (IOException e) {
            throw new IllegalArgumentException(instruction + ": invalid JSON array: " + rest);
        }
    }

    private static String required(String rest, String instruction) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(instruction + " requires exactly one argument");
        }
        return rest;
    }

    private static String workdir(String current, String dir) {
        if (dir.startsWith("/") || current == null || current.isEmpty()) {
            return dir.startsWith("/") ? dir : "/" + dir;
        }
        return current.endsWith("/") ? current + dir : current + "/" + dir;
    }

    private static String portSpec(String port) {
        String[] parts = port.split("/", 2);
        String proto = parts.length == 2 ? parts[1].toLowerCase(Locale.ROOT) : "tcp";
        if (!parts[0].matches("\\d{1,5}(-\\d{1,5})?") || !Set.of("tcp", "udp", "sctp").contains(proto)) {
            throw new IllegalArgumentException("invalid port in EXPOSE: " + port);
        }
        return parts[0] + "/" + proto;
    }

    private static void setEnv(Builder b, String key, String value) {
        b.env.removeIf(e -> e.equals(key) || e.startsWith(key + "="));
        b.env.add(key + "=" + value);
    }

    /**
     * {@code K=V K2="v 2"}; with {@code legacyForm}, {@code K rest of line} (ENV's old single-pair form).
     */
    static Map<String, String> keyValues(String rest, boolean legacyForm, String instruction) {
        List<String> tokens = words(required(rest, instruction));
        Map<String, String> out = new LinkedHashMap<>();
        if (legacyForm && !tokens.get(0).contains("=")) {
            int space = indexOfWhitespace(rest);
            if (space < 0) {
                throw new IllegalArgumentException(instruction + " requires a value: " + rest);
            }
            out.put(rest.substring(0, space), unquote(rest.substring(space).strip()));
            return out;
        }
        for (String token : tokens) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(instruction + " names must be followed by '=': " + token);
            }
            out.put(token.substring(0, eq), token.substring(eq + 1));
        }
        return out;
    }

    /** Splits on unquoted whitespace, removing quotes and backslash escapes as the Dockerfile parser does. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quote != '\'' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote in: " + text);
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    private static String unquote(String value) {
        List<String> w = words(value);
        return w.size() == 1 ? w.get(0) : value;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static final class Builder {
        private final ContainerDefaults base;
        private String user;
        private final Map<String, Map<String, Object>> exposedPorts;
        private final List<String> env;
        private List<String> entrypoint;
        private List<String> cmd;
        private final Map<String, Map<String, Object>> volumes;
        private String workingDir;
        private final Map<String, String> labels;
        private String stopSignal;

        Builder(ContainerDefaults base) {
            this.base = base;
            user = base.user();
            exposedPorts = base.exposedPorts() == null ? new TreeMap<>() : new TreeMap<>(base.exposedPorts());
            env = base.env() == null ? new ArrayList<>() : new ArrayList<>(base.env());
            entrypoint = base.entrypoint();
            cmd = base.cmd();
            volumes = base.volumes() == null ? new TreeMap<>() : new TreeMap<>(base.volumes());
            workingDir = base.workingDir();
            labels = base.labels() == null ? new TreeMap<>() : new TreeMap<>(base.labels());
            stopSignal = base.stopSignal();
        }

        ContainerDefaults build() {
            return new ContainerDefaults(user, exposedPorts.isEmpty() ? null : exposedPorts,
                env.isEmpty() ? null : List.copyOf(env), entrypoint, cmd, volumes.isEmpty() ? null : volumes,
                workingDir, labels.isEmpty() ? null : labels, stopSignal, base.healthcheck(), base.argsEscaped(),
                base.onBuild(), base.shell());
        }
    }
}
