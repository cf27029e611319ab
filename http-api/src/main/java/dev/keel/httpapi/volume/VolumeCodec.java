package dev.keel.httpapi.volume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.volume.VolumeEntity;
import dev.keel.actors.volume.Volumes;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Volumes on the wire (API 1.41): Docker's Volume out, VolumeCreateBody in, and the list and prune filters. Docker's
 * {@code local} driver is the only one whose volumes are pruned.
 */
public final class VolumeCodec {

    static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "label", "name");
    static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "all");
    /** From this version on, prune spares named volumes unless the {@code all} filter asks for them (Docker 23). */
    static final ApiVersion PRUNE_ANONYMOUS_ONLY_SINCE = new ApiVersion(1, 42);

    private VolumeCodec() {}

    /** {@code POST /volumes/create}. */
    record CreateRequest(String name, String driver, Map<String, String> driverOptions, Map<String, String> labels) {}

    static CreateRequest decodeCreate(byte[] body) {
        JsonFields request = JsonFields.rootOrEmpty(body, "the volume's Name");
        return new CreateRequest(request.text("Name"), request.text("Driver"), request.stringMap("DriverOpts"),
                request.stringMap("Labels"));
    }

    /** Docker's Volume; {@code usage} (Size, RefCount) only in {@code GET /system/df}. */
    public static ObjectNode volume(Volumes.Volume volume, Optional<Long> usageSizeBytes) {
        VolumeEntity.State state = volume.state();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("CreatedAt", createdAt(state.createdAt()));
        out.put("Driver", state.driver());
        out.set("Labels", Json.MAPPER.valueToTree(state.labels()));
        out.put("Mountpoint", volume.mountpoint());
        out.put("Name", state.volumeName());
        out.set("Options", Json.MAPPER.valueToTree(state.options()));
        out.put("Scope", "local");
        if (!volume.status().isEmpty()) {
            out.set("Status", Json.MAPPER.valueToTree(volume.status()));
        }
        usageSizeBytes.ifPresent(size -> out.putObject("UsageData")
                .put("Size", size)
                .put("RefCount", state.usedBy().size()));
        return out;
    }

    static ObjectNode volume(Volumes.Volume volume) {
        return volume(volume, Optional.empty());
    }

    /** RFC 3339 to the second, as Docker's local driver reports it. */
    static String createdAt(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The list filters, validated as Docker does ({@code dangling} takes a boolean). */
    static Filters listFilters(String json) {
        Filters filters = Filters.parse(json, LIST_FILTERS);
        for (String value : filters.get("dangling")) {
            if (!Set.of("true", "false", "1", "0").contains(value.toLowerCase())) {
                throw invalid("invalid filter 'dangling=" + value + "'");
            }
        }
        return filters;
    }

    static boolean matches(Volumes.Volume volume, Filters filters) {
        VolumeEntity.State state = volume.state();
        return filters.matchesAny("name", wanted -> matchesPattern(wanted, state.volumeName()))
                && filters.matchesAny("driver", state.driver()::equals)
                && filters.matchesLabels("label", state.labels())
                && filters.matchesAny("dangling", wanted -> isTrue(wanted) != state.isInUse());
    }

    /** The prune filters; {@code all} is only known from {@link #PRUNE_ANONYMOUS_ONLY_SINCE}. */
    static Filters pruneFilters(String json, ApiVersion version) {
        Filters filters = Filters.parse(json, PRUNE_FILTERS);
        if (filters.has("all") && version.isBefore(PRUNE_ANONYMOUS_ONLY_SINCE)) {
            throw invalid("invalid filter 'all'");
        }
        for (String value : filters.get("all")) {
            if (!Set.of("true", "false", "1", "0").contains(value.toLowerCase())) {
                throw invalid("invalid filter 'all=" + value + "'");
            }
        }
        return filters;
    }

    /**
     * What {@code POST /volumes/prune} removes: unused volumes of the local driver that the label filters select; from
     * API 1.42 only anonymous ones unless {@code all} is true.
     */
    static boolean prunable(Volumes.Volume volume, Filters filters, ApiVersion version) {
        VolumeEntity.State state = volume.state();
        if (state.isInUse() || !state.driver().equals("local")) {
            return false;
        }
        boolean all = filters.get("all").stream().anyMatch(VolumeCodec::isTrue);
        if (!version.isBefore(PRUNE_ANONYMOUS_ONLY_SINCE) && !all
                && !state.labels().containsKey(Volumes.ANONYMOUS_LABEL)) {
            return false;
        }
        return filters.matchesLabels("label", state.labels()) && filters.matchesNoLabel("label!", state.labels());
    }

    /** Docker matches a name filter as an unanchored regular expression, or literally when it is not one. */
    private static boolean matchesPattern(String wanted, String name) {
        try {
            return Pattern.compile(wanted).matcher(name).find();
        } catch (PatternSyntaxException e) {
            return name.contains(wanted);
        }
    }

    private static boolean isTrue(String value) {
        return value.equalsIgnoreCase("true") || value.equals("1");
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
