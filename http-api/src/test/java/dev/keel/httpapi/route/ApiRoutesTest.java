package dev.keel.httpapi.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.StringUnmarshallers;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API's frame (versions, headers, errors, limits) around endpoint groups written for the test. */
class ApiRoutesTest extends AllDirectives {

    private static ActorSystem<Void> system;

    private final Route probes = concat(
            path("version-of", () -> extractRequest(request -> complete(ApiVersion.of(request).toString()))),
            path("body", () -> post(() -> entity(Unmarshaller.entityToByteArray(), body -> complete("read " + body.length)))),
            path("refused", () -> failWith(new EngineFailure(Rejection.NOT_FOUND, "No such image: nope"))),
            path("count", () -> parameter(StringUnmarshallers.INTEGER, "n", n -> complete("n=" + n))));
    private final Route api = new ApiRoutes(new ApiSettings(64, Duration.ofSeconds(5)), probes).route();

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "api-routes-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
    }

    private HttpResponse run(HttpRequest request) throws Exception {
        return Source.single(request).via(api.flow(system)).runWith(Sink.head(), system)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String body(HttpResponse response) throws Exception {
        return response.entity().toStrict(5000, system).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .getData().utf8String();
    }

    @Test
    void shouldPutDockersHeadersOnEveryResponseEvenAnError() throws Exception {
        for (HttpResponse response : new HttpResponse[] {run(HttpRequest.GET("/_ping")), run(HttpRequest.GET("/no/such"))}) {
            assertThat(response.getHeader("Api-Version")).hasValueSatisfying(h -> assertThat(h.value()).isEqualTo("1.41"));
            assertThat(response.getHeader("Ostype")).hasValueSatisfying(h -> assertThat(h.value()).isEqualTo("linux"));
            assertThat(response.getHeader("Docker-Experimental")).hasValueSatisfying(h -> assertThat(h.value()).isEqualTo("false"));
        }
    }

    @Test
    void shouldRefuseAClientVersionThatIsTooOld() throws Exception {
        HttpResponse response = run(HttpRequest.GET("/v1.12/_ping"));

        assertThat(response.status().intValue()).isEqualTo(400);
        assertThat(response.entity().getContentType()).isEqualTo(ContentTypes.APPLICATION_JSON);
        assertThat(body(response)).isEqualTo("{\"message\":\"client version 1.12 is too old. Minimum supported API version"
                + " is 1.24, please upgrade your client to a newer version\"}\n");
    }

    @Test
    void shouldRefuseAClientVersionThatIsTooNew() throws Exception {
        HttpResponse response = run(HttpRequest.GET("/v1.43/version-of"));

        assertThat(response.status().intValue()).isEqualTo(400);
        assertThat(body(response)).contains("client version 1.43 is too new. Maximum supported API version is 1.41");
    }

    @Test
    void shouldHandTheRequestedVersionToTheGroups() throws Exception {
        assertThat(body(run(HttpRequest.GET("/v1.30/version-of")))).isEqualTo("1.30");
        assertThat(body(run(HttpRequest.GET("/version-of")))).isEqualTo("1.41");
    }

    @Test
    void shouldAnswerOptionsOnAnyPath() throws Exception {
        HttpResponse response = run(HttpRequest.create("/v1.41/containers/x/json").withMethod(HttpMethods.OPTIONS));

        assertThat(response.status().intValue()).isEqualTo(200);
    }

    @Test
    void shouldAnswerUnknownPathsAndWrongMethodsWithPageNotFound() throws Exception {
        HttpResponse unknown = run(HttpRequest.GET("/v1.41/no/such/thing"));
        HttpResponse wrongMethod = run(HttpRequest.DELETE("/_ping"));

        assertThat(unknown.status().intValue()).isEqualTo(404);
        assertThat(body(unknown)).isEqualTo("{\"message\":\"page not found\"}\n");
        assertThat(wrongMethod.status().intValue()).isEqualTo(404);
    }

    @Test
    void shouldRefuseABodyLargerThanTheLimit() throws Exception {
        HttpResponse strict = run(HttpRequest.POST("/body").withEntity(ContentTypes.APPLICATION_JSON, new byte[65]));
        HttpResponse chunked = run(HttpRequest.POST("/body").withEntity(HttpEntities.createChunked(
                ContentTypes.APPLICATION_JSON, Source.from(java.util.List.of(ByteString.fromArray(new byte[40]),
                        ByteString.fromArray(new byte[40]))))));

        assertThat(strict.status().intValue()).isEqualTo(400);
        assertThat(body(strict)).contains("request body is larger than the limit of 64 bytes (keel.http-api.max-body-bytes)");
        assertThat(chunked.status().intValue()).isEqualTo(400);
        assertThat(body(chunked)).contains("limit of 64 bytes");
    }

    @Test
    void shouldReadABodyWithinTheLimit() throws Exception {
        HttpResponse response = run(HttpRequest.POST("/body").withEntity(ContentTypes.APPLICATION_JSON, new byte[64]));

        assertThat(body(response)).isEqualTo("read 64");
    }

    @Test
    void shouldAnswerARefusalWithItsStatusAndMessage() throws Exception {
        HttpResponse response = run(HttpRequest.GET("/v1.41/refused"));

        assertThat(response.status().intValue()).isEqualTo(404);
        assertThat(body(response)).isEqualTo("{\"message\":\"No such image: nope\"}\n");
    }

    @Test
    void shouldAnswerAMalformedQueryParameterWith400() throws Exception {
        HttpResponse response = run(HttpRequest.GET("/count?n=abc"));

        assertThat(response.status().intValue()).isEqualTo(400);
        assertThat(body(response)).contains("invalid value for query parameter n");
    }
}
