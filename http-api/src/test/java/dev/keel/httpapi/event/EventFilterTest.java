package dev.keel.httpapi.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EventFilterTest {

    private static final DockerEvents.Message START = new DockerEvents.Message("container", "start", "4f2a1b7c",
            new TreeMap<>(Map.of("name", "web", "image", "busybox:latest", "tier", "front")), Instant.EPOCH, 1);
    private static final DockerEvents.Message TAG = new DockerEvents.Message("image", "tag", "sha256:ab",
            new TreeMap<>(Map.of("name", "busybox:1")), Instant.EPOCH, 2);
    private static final DockerEvents.Message EXEC = new DockerEvents.Message("container", "exec_start: sh", "4f2a1b7c",
            new TreeMap<>(Map.of("name", "web")), Instant.EPOCH, 3);

    private static boolean includes(String filters, DockerEvents.Message message) {
        return EventFilter.parse(filters).includes(message);
    }

    @Test
    void shouldIncludeEverythingWithoutFilters() {
        assertThat(EventFilter.parse("").includes(START)).isTrue();
        assertThat(EventFilter.NONE.includes(TAG)).isTrue();
    }

    @Test
    void shouldMatchTypeAndEventExactlyInBothWireForms() {
        assertThat(includes("{\"type\":{\"container\":true}}", START)).isTrue();
        assertThat(includes("{\"type\":[\"container\"]}", TAG)).isFalse();
        assertThat(includes("{\"event\":[\"start\",\"die\"]}", START)).isTrue();
        assertThat(includes("{\"event\":[\"sta\"]}", START)).isFalse();
    }

    @Test
    void shouldMatchSuffixedActionsByPrefix() {
        assertThat(includes("{\"event\":[\"exec_start\"]}", EXEC)).isTrue();
    }

    @Test
    void shouldMatchContainersByIdPrefixOrNameOnEventsOfEveryType() {
        assertThat(includes("{\"container\":[\"4f2a\"]}", START)).isTrue();
        assertThat(includes("{\"container\":[\"web\"]}", START)).isTrue();
        assertThat(includes("{\"container\":[\"db\"]}", START)).isFalse();
        assertThat(includes("{\"container\":[\"web\"]}", TAG)).isFalse();
    }

    @Test
    void shouldMatchImagesByNameWithOrWithoutTag() {
        assertThat(includes("{\"image\":[\"busybox\"]}", START)).isTrue();
        assertThat(includes("{\"image\":[\"busybox:latest\"]}", START)).isTrue();
        assertThat(includes("{\"image\":[\"busybox\"]}", TAG)).isTrue();
        assertThat(includes("{\"image\":[\"sha256:ab\"]}", TAG)).isTrue();
        assertThat(includes("{\"image\":[\"alpine\"]}", START)).isFalse();
    }

    @Test
    void shouldRequireEveryLabel() {
        assertThat(includes("{\"label\":[\"tier=front\"]}", START)).isTrue();
        assertThat(includes("{\"label\":[\"tier=front\",\"missing\"]}", START)).isFalse();
    }

    @Test
    void shouldMatchTheLocalScopeOnly() {
        assertThat(includes("{\"scope\":[\"local\"]}", START)).isTrue();
        assertThat(includes("{\"scope\":[\"swarm\"]}", START)).isFalse();
    }

    @Test
    void shouldRefuseUnknownKeysAndMalformedJson() {
        assertThatThrownBy(() -> EventFilter.parse("{\"colour\":[\"red\"]}")).isInstanceOf(EngineFailure.class)
                .hasMessage("invalid filter 'colour'");
        assertThatThrownBy(() -> EventFilter.parse("{not json")).isInstanceOf(EngineFailure.class)
                .hasMessageStartingWith("invalid filter");
    }

    @Test
    void shouldStripTagsAndDigestsButNotIds() {
        assertThat(EventFilter.withoutTag("localhost:5000/a/b:1")).isEqualTo("localhost:5000/a/b");
        assertThat(EventFilter.withoutTag("localhost:5000/a/b")).isEqualTo("localhost:5000/a/b");
        assertThat(EventFilter.withoutTag("busybox@sha256:00")).isEqualTo("busybox");
        assertThat(EventFilter.withoutTag("sha256:00")).isEqualTo("sha256:00");
    }
}
