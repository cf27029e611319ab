package dev.keel.pluginhost;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds a legacy (v1) plugin by name, in Docker's order: a socket {@code <dir>/<name>.sock} or
 * {@code <dir>/<name>/<name>.sock} in each socket directory, then in each spec directory {@code <name>.spec},
 * {@code <name>/<name>.spec}, {@code <name>.json}, {@code <name>/<name>.json}. The first match wins.
 */
public final class PluginLocator {

    /** Names become file names: nothing that could leave the directory. */
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final int SOCKET_TYPE = 0140000;
    private static final int FILE_TYPE_MASK = 0170000;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final List<Path> socketDirs;
    private final List<Path> specDirs;

    public PluginLocator(List<Path> socketDirs, List<Path> specDirs) {
        this.socketDirs = List.copyOf(socketDirs);
        this.specDirs = List.copyOf(specDirs);
    }

    /**
     * @return the plugin's address, empty when no socket or description by that name exists
     * @throws PluginFailure {@link PluginFailure.Reason#BAD_DESCRIPTION} when the first description found is unusable
     */
    public Optional<PluginAddress> locate(String name) {
        if (!VALID_NAME.matcher(name).matches() || name.contains("..")) {
            return Optional.empty();
        }
        for (Path dir : socketDirs) {
            for (Path candidate : candidates(dir, name, ".sock")) {
                if (isSocket(candidate)) {
                    return Optional.of(new PluginAddress.UnixSocket(candidate));
                }
            }
        }
        for (Path dir : specDirs) {
            List<Path> descriptions = new ArrayList<>(candidates(dir, name, ".spec"));
            descriptions.addAll(candidates(dir, name, ".json"));
            for (Path candidate : descriptions) {
                if (Files.exists(candidate)) {
                    return Optional.of(read(name, candidate));
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> candidates(Path dir, String name, String extension) {
        return List.of(dir.resolve(name + extension), dir.resolve(name).resolve(name + extension));
    }

    /** Follows symbolic links, as Docker's os.Stat does. */
    private static boolean isSocket(Path path) {
        try {
            return (((Integer) Files.getAttribute(path, "unix:mode")) & FILE_TYPE_MASK) == SOCKET_TYPE;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static PluginAddress read(String name, Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PluginFailure(PluginFailure.Reason.BAD_DESCRIPTION,
                    "cannot read description of plugin " + name + " at " + file + ": " + e.getMessage(), e);
        }
        try {
            return file.getFileName().toString().endsWith(".json") ? fromJson(content) : fromSpec(content);
        } catch (IllegalArgumentException | IOException e) {
            throw new PluginFailure(PluginFailure.Reason.BAD_DESCRIPTION,
                    "invalid description of plugin " + name + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private static PluginAddress fromSpec(String content) {
        return PluginAddress.parse(content, Optional.empty());
    }

    private static PluginAddress fromJson(String content) throws IOException {
        JsonNode root = JSON.readTree(content);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonDescription description = JSON.treeToValue(root, JsonDescription.class);
        if (description.addr() == null) {
            throw new IllegalArgumentException("no Addr");
        }
        Optional<PluginAddress.TlsSettings> tls = Optional.ofNullable(description.tlsConfig())
                .map(t -> new PluginAddress.TlsSettings(t.insecureSkipVerify(), orEmpty(t.caFile()),
                        orEmpty(t.certFile()), orEmpty(t.keyFile())));
        return PluginAddress.parse(description.addr(), tls);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private record JsonDescription(
            @JsonProperty("Name") String name,
            @JsonProperty("Addr") String addr,
            @JsonProperty("TLSConfig") JsonTls tlsConfig) {}

    private record JsonTls(
            @JsonProperty("InsecureSkipVerify") boolean insecureSkipVerify,
            @JsonProperty("CAFile") String caFile,
            @JsonProperty("CertFile") String certFile,
            @JsonProperty("KeyFile") String keyFile) {}
}
