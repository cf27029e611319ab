package dev.keel.httpapi.event;

import dev.keel.actors.Engine;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.history.History;
import dev.keel.httpapi.route.ErrorBody;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /events}: Docker's event stream, read from the {@link History} (the journal), so {@code since} reaches
 * back over all history and across restarts. One JSON message per line, chunked, each chunk sent as soon as it is
 * ready; when the client reads slower than the history replays, many lines go out in one chunk. A client that
 * disconnects cancels the stream.
 *
 * <p>A replay by time ({@code since=<seconds>}) reads the history from its start: offsets are not indexed by time.
 */
public final class EventRoutes extends AllDirectives {

    /** Most journal events gathered into one chunk while the previous chunk is still being mapped or sent. */
    private static final int MAX_BATCHED_EVENTS = 1024;

    private final Engine engine;

    public EventRoutes(Engine engine) {
        this.engine = engine;
    }

    public Route route() {
        return path("events", () -> get(() -> parameterOptional("since", since -> parameterOptional("until",
                until -> parameterOptional("filters", filters -> complete(events(since, until, filters)))))));
    }

    private HttpResponse events(Optional<String> since, Optional<String> until, Optional<String> filters) {
        EventWindow window;
        EventFilter filter;
        try {
            window = EventWindow.of(since, until, engine.history().lastOffset());
            filter = EventFilter.parse(filters.orElse(""));
        } catch (RuntimeException e) {
            return ErrorBody.of(e);
        }
        return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON,
                lines(window, filter)));
    }

    private Source<ByteString, NotUsed> lines(EventWindow window, EventFilter filter) {
        Instant now = Instant.now();
        History history = engine.history();
        Source<History.Recorded, NotUsed> recorded = window.endsBy(now)
                ? history.current(window.afterOffset())
                : window.until().equals(Instant.MAX)
                ? history.live(window.afterOffset())
                : history.live(window.afterOffset()).takeWithin(Duration.between(now, window.until()));
        return Source.lazySource(() -> {
            DockerEvents mapper = new DockerEvents();
            StringBuilder text = new StringBuilder(8192);
            // The journal is read on its own (async boundary) while the mapping and the socket are busy; events queue up
            // in batches meanwhile. A live event still goes out at once.
            return recorded
                    .async()
                    .batch(MAX_BATCHED_EVENTS, EventRoutes::firstOf, EventRoutes::added)
                    .mapAsync(1, batch -> learnUnknownContainers(mapper, batch))
                    .map(batch -> encode(mapper, batch, window, filter, text))
                    .filter(bytes -> !bytes.isEmpty());
        }).mapMaterializedValue(ignored -> NotUsed.getInstance());
    }

    private static List<History.Recorded> firstOf(History.Recorded recorded) {
        List<History.Recorded> batch = new ArrayList<>();
        batch.add(recorded);
        return batch;
    }

    private static List<History.Recorded> added(List<History.Recorded> batch, History.Recorded recorded) {
        batch.add(recorded);
        return batch;
    }

    /** Looks up, one after the other, the containers of {@code batch} the mapper has not met. */
    private CompletionStage<List<History.Recorded>> learnUnknownContainers(DockerEvents mapper,
                                                                          List<History.Recorded> batch) {
        CompletionStage<Void> learnt = CompletableFuture.completedFuture(null);
        Set<String> asked = new HashSet<>();
        for (History.Recorded recorded : batch) {
            if (mapper.needsContainer(recorded)) {
                String containerId = ((ContainerEntity.Event) recorded.event()).containerId();
                if (asked.add(containerId)) {
                    learnt = learnt.thenCompose(done -> learn(mapper, containerId));
                }
            }
        }
        return learnt.thenApply(done -> batch);
    }

    private CompletionStage<Void> learn(DockerEvents mapper, String containerId) {
        return engine.containers().inspect(containerId).handle((state, failure) -> {
            if (state != null) {
                mapper.learn(state);
            } else {
                mapper.learnUnknown(containerId);
            }
            return null;
        });
    }

    private static ByteString encode(DockerEvents mapper, List<History.Recorded> batch, EventWindow window,
                                     EventFilter filter, StringBuilder text) {
        text.setLength(0);
        for (History.Recorded recorded : batch) {
            for (DockerEvents.Message message : mapper.map(recorded)) {
                if (window.includes(message.offset(), message.time()) && filter.includes(message)) {
                    EventJson.appendLine(message, text);
                }
            }
        }
        return text.length() == 0 ? ByteString.emptyByteString()
                : ByteString.fromString(text.toString(), StandardCharsets.UTF_8);
    }
}
