package dev.keel.httpapi.image;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.image.ImageConfig;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.image.Images;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.pekko.util.ByteString;

/**
 * The Images group's wire shapes of API 1.41 (ImageSummary, ImageInspect, HistoryResponseItem,
 * ImageDeleteResponseItem, jsonmessage lines) and the checks of what clients send (references, filters), so that a
 * bad request is refused before anything changes.
 */
public final class ImageCodec {

    static final Set<String> LIST_FILTERS = Set.of("before", "dangling", "label", "reference", "since");
    static final Set<String> PRUNE_FILTERS = Set.of("dangling", "label", "label!", "until");

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
            + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?";
    /** Docker's reference grammar: [domain/]path[:tag][@digest]. */
    private static final Pattern REFERENCE = Pattern.compile("(?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*"
            + "(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    private static final Pattern HEX_ID = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern DURATION = Pattern.compile("(?:([0-9.]+)h)?(?:([0-9.]+)m)?(?:([0-9.]+)s)?");
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ImageCodec() {
    }

    /** One ImageSummary; {@code containers} is -1 where dockerd does not count them (the image list). */
    public static Map<String, Object> summary(ImageEntity.State image, long containers, ApiVersion version) {
        return summary(image, image.repoTags(), containers, version);
    }

    /** One ImageSummary showing {@code tags} of the image's (those a reference filter matched). */
    static Map<String, Object> summary(ImageEntity.State image, List<String> tags, long containers, ApiVersion version) {
        boolean dangling = tags.isEmpty();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", image.imageId());
        out.put("ParentId", "");
        // Before 1.43 dockerd lists an untagged image with placeholder references, which older CLIs expect.
        out.put("RepoTags", dangling ? List.of("<none>:<none>") : tags);
        out.put("RepoDigests", dangling ? List.of("<none>@<none>") : List.of());
        out.put("Created", image.created().getEpochSecond());
        out.put("Size", image.sizeBytes());
        out.put("SharedSize", -1);
        if (version.isBefore(new ApiVersion(1, 43))) {
            out.put("VirtualSize", image.sizeBytes());
        }
        out.put("Labels", image.config().labels());
        out.put("Containers", containers);
        return out;
    }

    /** ImageInspect; {@code comment} is the newest history entry's. */
    static Map<String, Object> inspect(ImageEntity.State image, String comment) {
        ImageConfig config = image.config();
        Map<String, Object> containerConfig = new LinkedHashMap<>();
        containerConfig.put("Hostname", "");
        containerConfig.put("Domainname", "");
        containerConfig.put("User", config.user());
        containerConfig.put("AttachStdin", false);
        containerConfig.put("AttachStdout", false);
        containerConfig.put("AttachStderr", false);
        containerConfig.put("ExposedPorts", config.exposedPorts().isEmpty() ? null : ports(config.exposedPorts()));
        containerConfig.put("Tty", false);
        containerConfig.put("OpenStdin", false);
        containerConfig.put("StdinOnce", false);
        containerConfig.put("Env", orNull(config.env()));
        containerConfig.put("Cmd", orNull(config.cmd()));
        containerConfig.put("Image", "");
        containerConfig.put("Volumes", null);
        containerConfig.put("WorkingDir", config.workingDir());
        containerConfig.put("Entrypoint", orNull(config.entrypoint()));
        containerConfig.put("OnBuild", null);
        containerConfig.put("Labels", config.labels().isEmpty() ? null : config.labels());
        if (!config.stopSignal().isEmpty()) {
            containerConfig.put("StopSignal", config.stopSignal());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", image.imageId());
        out.put("RepoTags", image.repoTags());
        out.put("RepoDigests", List.of());
        out.put("Parent", "");
        out.put("Comment", comment);
        out.put("Created", image.created().toString());
        out.put("Container", "");
        out.put("ContainerConfig", Map.of());
        out.put("DockerVersion", "");
        out.put("Author", "");
        out.put("Config", containerConfig);
        out.put("Architecture", config.architecture());
        out.put("Os", config.os());
        out.put("Size", image.sizeBytes());
        out.put("VirtualSize", image.sizeBytes());
        Map<String, Object> graphDriver = new LinkedHashMap<>();
        graphDriver.put("Data", Map.of());
        graphDriver.put("Name", "overlay2");
        out.put("GraphDriver", graphDriver);
        Map<String, Object> rootFs = new LinkedHashMap<>();
        rootFs.put("Type", "layers");
        rootFs.put("Layers", config.layerDiffIds());
        out.put("RootFS", rootFs);
        out.put("Metadata", Map.of("LastTagTime", ZERO_TIME));
        return out;
    }

    static List<Map<String, Object>> history(List<Images.HistoryItem> items) {
        return items.stream().map(item -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("Id", item.id().isEmpty() ? "<missing>" : item.id());
            out.put("Created", item.created().getEpochSecond());
            out.put("CreatedBy", item.createdBy());
            out.put("Tags", item.tags().isEmpty() ? null : item.tags());
            out.put("Size", item.sizeBytes());
            out.put("Comment", item.comment());
            return out;
        }).toList();
    }

    static List<Map<String, String>> removals(List<Images.Removal> removals) {
        return removals.stream()
                .map(r -> r.untagged().isEmpty() ? Map.of("Deleted", r.deleted()) : Map.of("Untagged", r.untagged()))
                .toList();
    }

    /** One line of Docker's jsonmessage stream: {@code {"status":…}} or {@code {"stream":…}}. */
    static ByteString message(String field, String text) {
        try {
            return ByteString.fromArray(Json.MAPPER.writeValueAsBytes(Map.of(field, text)))
                    .concat(ByteString.fromString("\n", StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a progress message", e);
        }
    }

    /**
     * {@code repo} and {@code tag} as Docker takes them ({@code repo} may carry its tag when {@code tag} is empty),
     * checked: "repo:tag", or empty when {@code repo} is.
     */
    static String reference(String repo, String tag) {
        if (repo.isEmpty()) {
            if (!tag.isEmpty()) {
                throw invalid("invalid reference format: a tag needs a repository");
            }
            return "";
        }
        String reference = tag.isEmpty() ? repo : repo + (tag.startsWith("sha256:") ? "@" : ":") + tag;
        checkReference(reference);
        return reference;
    }

    /** Docker's reference check, with its messages. */
    static void checkReference(String reference) {
        if (HEX_ID.matcher(reference).matches()) {
            throw invalid("invalid repository name (" + reference + "), cannot specify 64-byte hexadecimal strings");
        }
        if (!REFERENCE.matcher(reference).matches()) {
            throw invalid(REFERENCE.matcher(reference.toLowerCase()).matches()
                    ? "invalid reference format: repository name must be lowercase" : "invalid reference format");
        }
    }

    /** Splits "repo[:tag]" into what {@link Images#tag} takes; the tag is empty for "latest". */
    static String[] repositoryAndTag(String repo, String tag) {
        String reference = reference(repo, tag);
        if (reference.isEmpty()) {
            throw invalid("repository name must have at least one component");
        }
        int colon = reference.lastIndexOf(':');
        if (colon > reference.lastIndexOf('/') && !reference.contains("@")) {
            return new String[] {reference.substring(0, colon), reference.substring(colon + 1)};
        }
        return new String[] {reference, ""};
    }

    /** Whether {@code image} passes the list filters other than before/since (which need another image's time). */
    static boolean matches(ImageEntity.State image, Filters filters) {
        boolean dangling = image.repoTags().isEmpty();
        return filters.matchesAny("dangling", value -> dangling == bool("dangling", value))
                && filters.matchesLabels("label", image.config().labels())
                && (!filters.has("reference") || !listedTags(image, filters).isEmpty());
    }

    /** The tags the image is listed with: as dockerd, only those a reference filter matches. */
    static List<String> listedTags(ImageEntity.State image, Filters filters) {
        if (!filters.has("reference")) {
            return image.repoTags();
        }
        return image.repoTags().stream()
                .filter(tag -> filters.get("reference").stream().anyMatch(pattern -> referenceMatches(pattern, tag)))
                .toList();
    }

    /** How Docker names a reference to people: without docker.io's default registry and library/ namespace. */
    static String familiar(String reference) {
        String name = reference.startsWith("docker.io/") ? reference.substring("docker.io/".length()) : reference;
        return name.startsWith("library/") && name.indexOf('/', "library/".length()) < 0
                ? name.substring("library/".length()) : name;
    }

    /** What {@code POST /images/prune} removes, from its filters (checked when built). */
    record PruneSelection(boolean danglingOnly, List<Instant> until, Filters filters) {

        boolean matches(ImageEntity.State image) {
            Map<String, String> labels = image.config().labels();
            return (!danglingOnly || image.repoTags().isEmpty())
                    && until.stream().allMatch(limit -> image.created().isBefore(limit))
                    && filters.matchesLabels("label", labels)
                    && filters.matchesNoLabel("label!", labels);
        }
    }

    static PruneSelection pruneSelection(Filters filters, Instant now) {
        boolean danglingOnly = filters.get("dangling").stream().allMatch(value -> bool("dangling", value));
        List<Instant> until = filters.get("until").stream().map(value -> timestamp("until", value, now)).toList();
        return new PruneSelection(danglingOnly, until, filters);
    }

    /** Checks every filter value that has a syntax of its own, so a bad one is a 400 before any work. */
    static void checkListFilters(Filters filters) {
        filters.get("dangling").forEach(value -> bool("dangling", value));
        filters.get("reference").forEach(ImageCodec::glob);
    }

    /**
     * Docker's reference filter: {@code path.Match} of the pattern against the familiar "name:tag", then the bare name.
     */
    static boolean referenceMatches(String pattern, String repoTag) {
        Pattern glob = glob(pattern);
        if (glob.matcher(repoTag).matches()) {
            return true;
        }
        int colon = repoTag.lastIndexOf(':');
        return colon > repoTag.lastIndexOf('/') && glob.matcher(repoTag.substring(0, colon)).matches();
    }

    /** Go's path.Match syntax: {@code *} and {@code ?} stop at "/", {@code [...]} with {@code ^} for negation. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                case '[' -> {
                    int end = pattern.indexOf(']', i + 2);
                    if (end < 0) {
                        throw invalid("invalid filter 'reference': syntax error in pattern " + pattern);
                    }
                    String set = pattern.substring(i + 1, end);
                    regex.append('[').append(set.startsWith("^") ? "^" + escapeSet(set.substring(1)) : escapeSet(set)).append(']');
                    i = end;
                }
                case '\\' -> {
                    if (i + 1 == pattern.length()) {
                        throw invalid("invalid filter 'reference': syntax error in pattern " + pattern);
                    }
                    regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return Pattern.compile(regex.toString());
        } catch (PatternSyntaxException e) {
            throw invalid("invalid filter 'reference': syntax error in pattern " + pattern);
        }
    }

    private static String escapeSet(String set) {
        return set.replace("\\", "\\\\").replace("[", "\\[").replace("&&", "\\&\\&");
    }

    /** Docker's boolean filter values. */
    static boolean bool(String key, String value) {
        return switch (value.toLowerCase()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw invalid("invalid filter '" + key + "=" + value + "'");
        };
    }

    /** Docker's boolean query values: empty, "0", "no", "false" and "none" are false. */
    static boolean flag(String value) {
        return switch (value.toLowerCase()) {
            case "", "0", "no", "false", "none" -> false;
            default -> true;
        };
    }

    /** Docker's {@code until} timestamps: unix seconds[.nanos], RFC 3339, or a Go duration before {@code now}. */
    public static Instant timestamp(String key, String value, Instant now) {
        try {
            if (value.matches("[0-9]+(\\.[0-9]{1,9})?")) {
                String[] parts = value.split("\\.");
                long nanos = parts.length == 1 ? 0 : Long.parseLong((parts[1] + "000000000").substring(0, 9));
                return Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
            }
            var duration = DURATION.matcher(value);
            if (!value.isEmpty() && duration.matches()) {
                double seconds = part(duration.group(1)) * 3600 + part(duration.group(2)) * 60 + part(duration.group(3));
                return now.minus(Duration.ofNanos((long) (seconds * 1e9)));
            }
            return Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw invalid("invalid filter '" + key + "=" + value + "': not a timestamp or a duration");
        }
    }

    private static double part(String group) {
        return group == null ? 0 : Double.parseDouble(group);
    }

    private static Map<String, Object> ports(List<String> ports) {
        Map<String, Object> out = new LinkedHashMap<>();
        ports.forEach(port -> out.put(port, Map.of()));
        return out;
    }

    private static List<String> orNull(List<String> values) {
        return values.isEmpty() ? null : values;
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
