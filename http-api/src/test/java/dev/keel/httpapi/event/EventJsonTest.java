package dev.keel.httpapi.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.httpapi.route.Json;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final Instant AT = Instant.parse("2026-11-30T10:15:30.123456789Z");

    private static String line(DockerEvents.Message message) {
        StringBuilder out = new StringBuilder();
        EventJson.appendLine(message, out);
        return out.toString();
    }

    @Test
    void shouldWriteAContainerEventAsDockerdDoesWithTheLegacyFieldsAndTheOffset() {
        DockerEvents.Message die = new DockerEvents.Message("container", "die", "abc",
                new TreeMap<>(Map.of("name", "web", "image", "busybox", "exitCode", "0")), AT, 42);

        assertThat(line(die)).isEqualTo("{\"status\":\"die\",\"id\":\"abc\",\"from\":\"busybox\",\"Type\":\"container\","
                + "\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"exitCode\":\"0\",\"image\":\"busybox\","
                + "\"name\":\"web\"}},\"scope\":\"local\",\"time\":1796033730,\"timeNano\":1796033730123456789,"
                + "\"offset\":42}\n");
    }

    @Test
    void shouldLeaveOutFromForImagesAndAllLegacyFieldsForOtherTypes() {
        String image = line(new DockerEvents.Message("image", "tag", "sha256:1", new TreeMap<>(Map.of("name", "b:1")), AT, 1));
        String network = line(new DockerEvents.Message("network", "create", "n1", new TreeMap<>(), AT, 2));

        assertThat(image).startsWith("{\"status\":\"tag\",\"id\":\"sha256:1\",\"Type\":\"image\"");
        assertThat(network).startsWith("{\"Type\":\"network\"").doesNotContain("status", "\"id\"");
    }

    @Test
    void shouldEscapeLikeGosEncoderAndStayValidJson() throws Exception {
        String text = line(new DockerEvents.Message("container", "create", "x",
                new TreeMap<>(Map.of("note", "a\"b\\c<d>&\n\u0001é")), AT, 3));

        assertThat(text).contains("\"a\\\"b\\\\c\\u003cd\\u003e\\u0026\\n\\u0001é\"");
        JsonNode parsed = Json.MAPPER.readTree(text);
        assertThat(parsed.path("Actor").path("Attributes").path("note").asText()).isEqualTo("a\"b\\c<d>&\n\u0001é");
    }
}
