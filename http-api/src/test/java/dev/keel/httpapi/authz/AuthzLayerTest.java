package dev.keel.httpapi.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.httpapi.transport.Hijack;
import dev.keel.actors.authz.Authorizer;
import dev.keel.actors.authz.Authorizer.ApiRequest;
import dev.keel.actors.authz.Authorizer.ApiResponse;
import dev.keel.actors.authz.Authorizer.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The authorization layer around routes written for the test, with an authorizer that records what it was shown. */
class AuthzLayerTest extends AllDirectives {

    private static final String PLUGIN_THREAD = "authz-test-plugin-call";
    private static ActorSystem<Void> system;
    private static ExecutorService pluginCalls;

    private final AtomicInteger routeRuns = new AtomicInteger();
    private final List<byte[]> bodiesRead = new CopyOnWriteArrayList<>();
    private final Route probes = concat(
            path("read", () -> post(() -> entity(Unmarshaller.entityToByteArray(), body -> {
                routeRuns.incrementAndGet();
                bodiesRead.add(body);
                return complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, "{\"read\":" + body.length + "}"));
            }))),
            path("streamed", () -> {
                routeRuns.incrementAndGet();
                return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON,
                        Source.single(ByteString.fromString("{}")))));
            }),
            path("hijacked", () -> {
                routeRuns.incrementAndGet();
                return complete(Hijack.upgraded("application/vnd.docker.raw-stream",
                        Flow.<ByteString>create().take(0)).response());
            }),
            pathPrefix("v1.41", () -> path("containers", () -> delete(() -> {
                routeRuns.incrementAndGet();
                return complete("removed");
            }))));

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "authz-layer-test");
        pluginCalls = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, PLUGIN_THREAD));
    }

    @AfterAll
    static void stop() {
        system.terminate();
        pluginCalls.shutdownNow();
    }

    /** Decides with the functions given and records every call, with the thread it came on. */
    private static final class RecordingAuthorizer implements Authorizer {
        final List<ApiRequest> requests = new CopyOnWriteArrayList<>();
        final List<ApiResponse> responses = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        private final Function<ApiRequest, Decision> onRequest;
        private final BiFunction<ApiRequest, ApiResponse, Decision> onResponse;

        RecordingAuthorizer(Function<ApiRequest, Decision> onRequest,
                            BiFunction<ApiRequest, ApiResponse, Decision> onResponse) {
            this.onRequest = onRequest;
            this.onResponse = onResponse;
        }

        static RecordingAuthorizer allowingAll() {
            return new RecordingAuthorizer(r -> new Decision.Allow(), (r, a) -> new Decision.Allow());
        }

        @Override
        public Decision authorizeRequest(ApiRequest request) {
            requests.add(request);
            threads.add(Thread.currentThread().getName());
            return onRequest.apply(request);
        }

        @Override
        public Decision authorizeResponse(ApiRequest request, ApiResponse response) {
            responses.add(response);
            threads.add(Thread.currentThread().getName());
            return onResponse.apply(request, response);
        }
    }

    private HttpResponse run(AuthorizationLayer layer, HttpRequest request) throws Exception {
        Route route = layer.authorize(() -> probes);
        return Source.single(request).via(route.flow(system)).runWith(Sink.head(), system)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String body(HttpResponse response) throws Exception {
        return response.entity().toStrict(5000, system).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .getData().utf8String();
    }

    private static HttpRequest postJson(String json) {
        return HttpRequest.POST("/read").withEntity(ContentTypes.APPLICATION_JSON, json);
    }

    @Test
    void shouldAnswer403AndNotRunTheRouteWhenAPluginDenies() throws Exception {
        RecordingAuthorizer denying = new RecordingAuthorizer(
                r -> new Decision.Deny("authz", "removing containers is not allowed"),
                (r, a) -> new Decision.Allow());

        HttpResponse response = run(AuthorizationLayer.of(denying, pluginCalls), HttpRequest.DELETE("/v1.41/containers"));

        assertThat(response.status().intValue()).isEqualTo(403);
        assertThat(body(response)).isEqualTo(
                "{\"message\":\"authorization denied by plugin authz: removing containers is not allowed\"}\n");
        assertThat(routeRuns).hasValue(0);
        assertThat(denying.responses).isEmpty();
    }

    @Test
    void shouldFailClosedWith500WhenAPluginCannotAnswer() throws Exception {
        RecordingAuthorizer failing = new RecordingAuthorizer(
                r -> new Decision.Error("authz", "plugin \"authz\" not found"), (r, a) -> new Decision.Allow());

        HttpResponse response = run(AuthorizationLayer.of(failing, pluginCalls), postJson("{}"));

        assertThat(response.status().intValue()).isEqualTo(500);
        assertThat(body(response)).isEqualTo("{\"message\":\"plugin authz failed with error: plugin \\\"authz\\\" not found\"}\n");
        assertThat(routeRuns).hasValue(0);
    }

    @Test
    void shouldFailClosedWhenTheAuthorizerThrows() throws Exception {
        RecordingAuthorizer broken = new RecordingAuthorizer(r -> {
            throw new IllegalStateException("broken");
        }, (r, a) -> new Decision.Allow());

        HttpResponse response = run(AuthorizationLayer.of(broken, pluginCalls), postJson("{}"));

        assertThat(response.status().intValue()).isEqualTo(500);
        assertThat(body(response)).contains("broken");
        assertThat(routeRuns).hasValue(0);
    }

    @Test
    void shouldShowTheRequestAsDockerdDoesWithoutCredentials() throws Exception {
        RecordingAuthorizer recording = RecordingAuthorizer.allowingAll();
        HttpRequest request = HttpRequest.POST("/read?name=web&x=%2F")
                .addHeader(RawHeader.create("Authorization", "Bearer secret"))
                .addHeader(RawHeader.create("X-Registry-Auth", "c2VjcmV0"))
                .addHeader(RawHeader.create("User-Agent", "Docker-Client/20.10"))
                .withEntity(ContentTypes.APPLICATION_JSON, "{\"Image\":\"busybox\"}");

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), request);

        assertThat(response.status().intValue()).isEqualTo(200);
        ApiRequest shown = recording.requests.get(0);
        assertThat(shown.method()).isEqualTo("POST");
        assertThat(shown.uri()).isEqualTo("/read?name=web&x=%2F");
        // Credentials are left out by the plugin adapter (AuthzRequest), Host already here.
        assertThat(shown.headers()).containsEntry("User-Agent", List.of("Docker-Client/20.10"))
                .containsEntry("Content-Type", List.of("application/json"))
                .doesNotContainKey("Host");
        assertThat(new String(shown.body(), StandardCharsets.UTF_8)).isEqualTo("{\"Image\":\"busybox\"}");
        assertThat(new String(bodiesRead.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"Image\":\"busybox\"}");
    }

    @Test
    void shouldReadAChunkedJsonBodyForThePluginsAndStillGiveItToTheRoute() throws Exception {
        RecordingAuthorizer recording = RecordingAuthorizer.allowingAll();
        HttpRequest request = HttpRequest.POST("/read").withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON,
                Source.from(List.of(ByteString.fromString("{\"a\":"), ByteString.fromString("1}")))));

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), request);

        assertThat(body(response)).isEqualTo("{\"read\":7}");
        assertThat(new String(recording.requests.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void shouldNotShowAJsonBodyOfOneMebibyteOrMoreButPassItWhole() throws Exception {
        RecordingAuthorizer recording = RecordingAuthorizer.allowingAll();
        byte[] chunk = new byte[256 * 1024];
        List<ByteString> chunks = List.of(ByteString.fromArray(chunk), ByteString.fromArray(chunk),
                ByteString.fromArray(chunk), ByteString.fromArray(chunk), ByteString.fromString("tail"));
        HttpRequest request = HttpRequest.POST("/read").withEntity(
                HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, Source.from(chunks)));

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), request);

        assertThat(body(response)).isEqualTo("{\"read\":" + (4 * chunk.length + 4) + "}");
        assertThat(recording.requests.get(0).body()).isEmpty();
    }

    @Test
    void shouldNotShowABodyThatIsNotJson() throws Exception {
        RecordingAuthorizer recording = RecordingAuthorizer.allowingAll();
        HttpRequest request = HttpRequest.POST("/read").withEntity(HttpEntities.createChunked(
                ContentTypes.APPLICATION_OCTET_STREAM, Source.single(ByteString.fromString("layer bytes"))));

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), request);

        assertThat(body(response)).isEqualTo("{\"read\":11}");
        assertThat(recording.requests.get(0).body()).isEmpty();
        assertThat(recording.requests.get(0).headers()).containsEntry("Content-Type", List.of("application/octet-stream"));
    }

    @Test
    void shouldShowTheBufferedAnswerAndReplaceItWhenAPluginRefusesIt() throws Exception {
        RecordingAuthorizer refusingAnswers = new RecordingAuthorizer(r -> new Decision.Allow(),
                (r, a) -> new Decision.Deny("audit", "answer withheld"));

        HttpResponse response = run(AuthorizationLayer.of(refusingAnswers, pluginCalls), postJson("{}"));

        assertThat(response.status().intValue()).isEqualTo(403);
        assertThat(body(response)).isEqualTo("{\"message\":\"authorization denied by plugin audit: answer withheld\"}\n");
        assertThat(routeRuns).hasValue(1);
        ApiResponse shown = refusingAnswers.responses.get(0);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.headers()).containsEntry("Content-Type", List.of("application/json"));
        assertThat(new String(shown.body(), StandardCharsets.UTF_8)).isEqualTo("{\"read\":2}");
    }

    @Test
    void shouldCheckStreamedAnswersOnTheRequestOnly() throws Exception {
        RecordingAuthorizer recording = new RecordingAuthorizer(r -> new Decision.Allow(),
                (r, a) -> new Decision.Deny("audit", "never asked"));

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), HttpRequest.GET("/streamed"));

        assertThat(response.status().intValue()).isEqualTo(200);
        assertThat(recording.requests).hasSize(1);
        assertThat(recording.responses).isEmpty();
    }

    @Test
    void shouldCheckHijackedConnectionsOnTheRequestOnly() throws Exception {
        RecordingAuthorizer recording = new RecordingAuthorizer(r -> new Decision.Allow(),
                (r, a) -> new Decision.Deny("audit", "never asked"));

        HttpResponse response = run(AuthorizationLayer.of(recording, pluginCalls), HttpRequest.POST("/hijacked"));

        assertThat(Hijack.of(response)).isPresent();
        assertThat(recording.requests).hasSize(1);
        assertThat(recording.responses).isEmpty();
    }

    @Test
    void shouldCallThePluginsOnTheExecutorGiven() throws Exception {
        RecordingAuthorizer recording = RecordingAuthorizer.allowingAll();

        run(AuthorizationLayer.of(recording, pluginCalls), postJson("{}"));

        assertThat(recording.threads).hasSize(2).allMatch(PLUGIN_THREAD::equals);
    }

    @Test
    void shouldRunEveryRouteAsItIsWithoutPlugins() throws Exception {
        HttpResponse response = run(AuthorizationLayer.none(), HttpRequest.DELETE("/v1.41/containers"));

        assertThat(body(response)).isEqualTo("removed");
        assertThat(routeRuns).hasValue(1);
    }
}
