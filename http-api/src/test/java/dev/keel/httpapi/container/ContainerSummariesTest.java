package dev.keel.httpapi.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.httpapi.route.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSummariesTest {

    private static final Instant STARTED = Instant.parse("2026-11-30T10:00:00Z");

    private final ContainerSummaries summaries = new ContainerSummaries(id -> Map.of(), id -> "");

    @Test
    void shouldWriteWhatTheCodecWritesForEachContainer() throws Exception {
        State web = running("a".repeat(64), "/web");
        State db = running("b".repeat(64), "/db");
        Instant now = STARTED.plusSeconds(3);

        JsonNode list = Json.MAPPER.readTree(summaries.encode(List.of(web, db), now));

        // Compared as maps: the order of keys is not part of the contract.
        assertThat(asList(list)).containsExactly(asMap(ContainerCodec.summary(web, Map.of(), id -> "", now)), asMap(ContainerCodec.summary(db, Map.of(), id -> "", now)));
    }

    @Test
    void shouldWriteTheStatusAsOfEachList() throws Exception {
        State web = running("a".repeat(64), "/web");

        summaries.encode(List.of(web), STARTED.plusSeconds(3));
        JsonNode later = Json.MAPPER.readTree(summaries.encode(List.of(web), STARTED.plusSeconds(30)));

        assertThat(later.get(0).get("Status").asText()).isEqualTo("Up 30 seconds");
    }

    @Test
    void shouldWriteANewStateOfAContainerNotTheOneItHadBefore() throws Exception {
        String id = "a".repeat(64);
        summaries.encode(List.of(running(id, "/web")), STARTED);

        JsonNode renamed = Json.MAPPER.readTree(summaries.encode(List.of(running(id, "/web2")), STARTED));

        assertThat(renamed.get(0).get("Names").get(0).asText()).isEqualTo("/web2");
    }

    private static List<Object> asList(JsonNode node) throws Exception {
        return Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(node),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, Object.class));
    }

    /** Through bytes, as a client reads it: numbers as the parser types them, on both sides. */
    private static Object asMap(JsonNode node) throws Exception {
        return Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(node), Map.class);
    }

    private static State running(String id, String name) {
        return new State(id, Status.RUNNING, name, "sha256:" + "c".repeat(64), "busybox", ContainerConfig.EMPTY, 42, 0,
                false, 0, STARTED.minusSeconds(1), STARTED, Instant.EPOCH);
    }
}
