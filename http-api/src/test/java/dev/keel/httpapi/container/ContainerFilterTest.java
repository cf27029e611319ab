package dev.keel.httpapi.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.RestartPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Filters that name no other object: they need no engine to resolve. */
class ContainerFilterTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    private static State container(String id, String name, Status status, int exitCode, Map<String, String> labels,
                                   Instant created) {
        ContainerConfig config = new ContainerConfig(List.of(), List.of(), List.of(), "", "", "", labels, false, false,
                "", RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of(), List.of());
        Instant started = status == Status.CREATED ? Instant.EPOCH : created.plusSeconds(1);
        Instant finished = status == Status.EXITED ? created.plusSeconds(2) : Instant.EPOCH;
        return new State(id, status, name, "sha256:img", "busybox", config, 0, exitCode, false, 0, created, started,
                finished);
    }

    private static ContainerFilter list(String filters) {
        return ContainerFilter.forList(filters, null).toCompletableFuture().join();
    }

    @Test
    void shouldMatchANameAsARegularExpressionFoundInIt() {
        ContainerFilter filter = list("{\"name\":{\"web\":true}}");

        assertThat(filter.test(container("a1", "/my-web-1", Status.RUNNING, 0, Map.of(), T0))).isTrue();
        assertThat(filter.test(container("b2", "/db", Status.RUNNING, 0, Map.of(), T0))).isFalse();
    }

    @Test
    void shouldMatchIdPrefixesInTheLegacyForm() {
        ContainerFilter filter = list("{\"id\":[\"^ab\"]}");

        assertThat(filter.test(container("abcdef", "/x", Status.RUNNING, 0, Map.of(), T0))).isTrue();
        assertThat(filter.test(container("cdabef", "/y", Status.RUNNING, 0, Map.of(), T0))).isFalse();
    }

    @Test
    void shouldMatchEveryLabelAsked() {
        ContainerFilter filter = list("{\"label\":{\"tier=web\":true,\"team\":true}}");

        assertThat(filter.test(container("a", "/a", Status.RUNNING, 0, Map.of("tier", "web", "team", "x"), T0))).isTrue();
        assertThat(filter.test(container("b", "/b", Status.RUNNING, 0, Map.of("tier", "web"), T0))).isFalse();
    }

    @Test
    void shouldMatchStatusAndListEveryContainerForIt() {
        ContainerFilter filter = list("{\"status\":{\"exited\":true}}");

        assertThat(filter.listsAll()).isTrue();
        assertThat(filter.test(container("a", "/a", Status.EXITED, 1, Map.of(), T0))).isTrue();
        assertThat(filter.test(container("b", "/b", Status.RUNNING, 0, Map.of(), T0))).isFalse();
    }

    @Test
    void shouldMatchTheExitCodeOfExitedContainersOnly() {
        ContainerFilter filter = list("{\"exited\":{\"1\":true}}");

        assertThat(filter.test(container("a", "/a", Status.EXITED, 1, Map.of(), T0))).isTrue();
        assertThat(filter.test(container("b", "/b", Status.EXITED, 0, Map.of(), T0))).isFalse();
        assertThat(filter.test(container("c", "/c", Status.CREATED, 0, Map.of(), T0))).isFalse();
    }

    @Test
    void shouldRefuseAnUnknownStatus() {
        assertThatThrownBy(() -> list("{\"status\":{\"sleeping\":true}}"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessage("invalid filter 'status=sleeping'");
    }

    @Test
    void shouldRefuseAnExitCodeThatIsNotANumber() {
        assertThatThrownBy(() -> list("{\"exited\":[\"x\"]}"))
                .isInstanceOf(EngineFailure.class)
                .hasMessage("invalid filter 'exited=x'");
    }

    @Test
    void shouldRefuseAFilterDockerPsDoesNotKnow() {
        assertThatThrownBy(() -> list("{\"color\":[\"red\"]}"))
                .isInstanceOf(EngineFailure.class)
                .hasMessage("invalid filter 'color'");
    }

    @Test
    void shouldKeepTheMostRecentWithinTheLimit() {
        List<State> newestFirst = List.of(
                container("c", "/c", Status.RUNNING, 0, Map.of(), T0.plusSeconds(2)),
                container("b", "/b", Status.EXITED, 0, Map.of(), T0.plusSeconds(1)),
                container("a", "/a", Status.RUNNING, 0, Map.of(), T0));

        assertThat(list("").select(newestFirst, 2)).extracting(State::containerId).containsExactly("c", "b");
        assertThat(list("").select(newestFirst, -1)).hasSize(3);
    }

    @Test
    void shouldPruneOnlyContainersCreatedBeforeUntil() {
        ContainerFilter filter = ContainerFilter.forPrune("{\"until\":{\"1h\":true}}", T0.plusSeconds(7200));

        assertThat(filter.test(container("old", "/old", Status.EXITED, 0, Map.of(), T0))).isTrue();
        assertThat(filter.test(container("new", "/new", Status.EXITED, 0, Map.of(), T0.plusSeconds(5400)))).isFalse();
    }

    @Test
    void shouldPruneWithoutTheLabelsOfLabelNot() {
        ContainerFilter filter = ContainerFilter.forPrune("{\"label!\":[\"keep\"]}", T0);

        assertThat(filter.test(container("a", "/a", Status.EXITED, 0, Map.of("keep", "1"), T0))).isFalse();
        assertThat(filter.test(container("b", "/b", Status.EXITED, 0, Map.of(), T0))).isTrue();
    }

    @Test
    void shouldRefuseAnUnreadableUntil() {
        assertThatThrownBy(() -> ContainerFilter.forPrune("{\"until\":[\"yesterday\"]}", T0))
                .isInstanceOf(EngineFailure.class)
                .hasMessageContaining("invalid filter 'until=yesterday'");
    }
}
