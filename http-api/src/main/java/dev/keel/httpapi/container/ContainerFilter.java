package dev.keel.httpapi.container;

import dev.keel.actors.Engine;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.httpapi.route.Filters;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's container filters, of {@code docker ps} and of {@code docker container prune}, with the references they
 * name (ancestor images, before/since containers) resolved against the engine once per request.
 *
 * @param ancestorImageIds the image ids (without "sha256:") the {@code ancestor} values name
 * @param before           the container of {@code before}: only older ones match
 * @param since            the container of {@code since}: only newer ones match
 * @param until            prune's {@code until}: only containers created before it match
 */
public record ContainerFilter(Filters filters, Set<String> ancestorImageIds, Optional<State> before,
                              Optional<State> since, Optional<Instant> until) {

    public static final Set<String> LIST_KEYS = Set.of("id", "name", "label", "status", "exited", "ancestor", "before",
            "since");
    public static final Set<String> PRUNE_KEYS = Set.of("until", "label", "label!");

    private static final Set<String> STATES = Set.of("created", "restarting", "running", "removing", "paused",
            "exited", "dead");
    private static final Pattern GO_DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    public ContainerFilter {
        ancestorImageIds = Set.copyOf(ancestorImageIds);
    }

    /** The filters of {@code GET /containers/json}; a bad value or an unknown before/since container fails it. */
    public static CompletionStage<ContainerFilter> forList(String filtersJson, Engine engine) {
        Filters filters = Filters.parse(filtersJson, LIST_KEYS);
        for (String status : filters.get("status")) {
            if (!STATES.contains(status)) {
                throw ContainerCodec.invalid("invalid filter 'status=" + status + "'");
            }
        }
        for (String code : filters.get("exited")) {
            try {
                Integer.parseInt(code);
            } catch (NumberFormatException e) {
                throw ContainerCodec.invalid("invalid filter 'exited=" + code + "'");
            }
        }
        CompletableFuture<Set<String>> ancestors = ancestorIds(filters.get("ancestor"), engine);
        CompletableFuture<Optional<State>> before = container(filters, "before", engine);
        CompletableFuture<Optional<State>> since = container(filters, "since", engine);
        return CompletableFuture.allOf(ancestors, before, since).thenApply(done ->
                new ContainerFilter(filters, ancestors.join(), before.join(), since.join(), Optional.empty()));
    }

    /** The filters of {@code POST /containers/prune}: {@code until} (unix time, RFC 3339 or a duration ago), labels. */
    public static ContainerFilter forPrune(String filtersJson, Instant now) {
        Filters filters = Filters.parse(filtersJson, PRUNE_KEYS);
        List<String> until = filters.list("until");
        if (until.size() > 1) {
            throw ContainerCodec.invalid("invalid filter 'until': more than one value");
        }
        Optional<Instant> cutoff = until.stream().findFirst().map(value -> timestamp(value, now));
        return new ContainerFilter(filters, Set.of(), Optional.empty(), Optional.empty(), cutoff);
    }

    /** Docker lists every container, not only running ones, when a status is asked for. */
    public boolean listsAll() {
        return filters.has("status");
    }

    public boolean test(State s) {
        return filters.matchesAny("id", pattern -> matches(pattern, s.containerId()))
                && filters.matchesAny("name", pattern -> matches(pattern, s.name()))
                && filters.matchesLabels("label", s.config().labels())
                && noneHolds(filters.get("label!"), s.config().labels())
                && filters.matchesAny("status", status -> status.equals(ContainerCodec.stateName(s)))
                && filters.matchesAny("exited", code -> s.status() == ContainerEntity.Status.EXITED
                        && !s.startedAt().equals(Instant.EPOCH) && Integer.parseInt(code) == s.exitCode())
                && (!filters.has("ancestor") || ancestorImageIds.contains(bareId(s.imageId()))
                        || filters.get("ancestor").contains(s.imageRef()))
                && before.map(b -> !b.containerId().equals(s.containerId()) && s.createdAt().isBefore(b.createdAt()))
                        .orElse(true)
                && since.map(a -> !a.containerId().equals(s.containerId()) && s.createdAt().isAfter(a.createdAt()))
                        .orElse(true)
                && until.map(s.createdAt()::isBefore).orElse(true);
    }

    /** The containers of {@code states} (newest first) that match, at most {@code limit} of them when positive. */
    public List<State> select(List<State> states, long limit) {
        return states.stream().filter(this::test).limit(limit > 0 ? limit : Long.MAX_VALUE).toList();
    }

    /** Docker's filter match: the exact value, else the value as a regular expression found in the field. */
    private static boolean matches(String pattern, String field) {
        if (pattern.equals(field)) {
            return true;
        }
        try {
            return Pattern.compile(pattern).matcher(field).find();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    private static boolean noneHolds(Set<String> labelFilters, Map<String, String> labels) {
        return labelFilters.stream().noneMatch(wanted -> {
            int eq = wanted.indexOf('=');
            return eq < 0 ? labels.containsKey(wanted) : wanted.substring(eq + 1).equals(labels.get(wanted.substring(0, eq)));
        });
    }

    /** Docker skips an ancestor that names no image; the others match by image id. */
    private static CompletableFuture<Set<String>> ancestorIds(Set<String> refs, Engine engine) {
        List<CompletableFuture<Optional<String>>> lookups = new ArrayList<>();
        for (String ref : refs) {
            lookups.add(engine.images().inspect(ref).toCompletableFuture()
                    .thenApply(image -> Optional.of(bareId(image.imageId())))
                    .exceptionally(notFound -> Optional.<String>empty()));
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Set<String> ids = new HashSet<>();
            lookups.forEach(lookup -> lookup.join().ifPresent(ids::add));
            return ids;
        });
    }

    private static CompletableFuture<Optional<State>> container(Filters filters, String key, Engine engine) {
        List<String> refs = filters.list(key);
        if (refs.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (refs.size() > 1) {
            throw ContainerCodec.invalid("invalid filter '" + key + "': more than one value");
        }
        return engine.containers().inspect(refs.get(0)).toCompletableFuture().thenApply(Optional::of);
    }

    private static String bareId(String imageId) {
        return imageId.startsWith("sha256:") ? imageId.substring("sha256:".length()) : imageId;
    }

    /** Docker's timetypes: unix seconds (with a fraction), an RFC 3339 time, or a duration such as "24h" before now. */
    static Instant timestamp(String value, Instant now) {
        if (value.matches("-?\\d+(\\.\\d{1,9})?")) {
            return ContainerCodec.unixTime("until", Optional.of(value), Instant.EPOCH);
        }
        Matcher duration = GO_DURATION.matcher(value);
        if (!value.isEmpty() && duration.matches()) {
            Duration ago = Duration.ofHours(parse(duration.group(1))).plusMinutes(parse(duration.group(2)))
                    .plusSeconds(parse(duration.group(3)));
            return now.minus(ago);
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ContainerCodec.invalid("invalid filter 'until=" + value
                    + "': expected unix seconds, an RFC 3339 time or a duration such as 24h");
        }
    }

    private static long parse(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
