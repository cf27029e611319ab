package dev.keel.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ActorsSettingsTest {

    private final ActorsSettings settings = ActorsSettings.from(ConfigFactory.load());

    @Test
    void shouldReadDefaultsFromReferenceConf() {
        assertThat(settings.askTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.snapshotEveryEvents()).isEqualTo(100);
        assertThat(settings.tagSlices()).isEqualTo(8);
    }

    @Test
    void shouldRegisterActorsKryoRegistryWithJournal() {
        assertThat(ConfigFactory.load().getString("keel.journal.kryo.registries.actors"))
                .isEqualTo(ActorsKryoRegistry.class.getName());
    }

    @Test
    void shouldSpreadEntitiesOverAFixedSetOfSliceTags() {
        var tags = IntStream.range(0, 1000).mapToObj(i -> settings.sliceTag("container", "c" + i))
                .collect(Collectors.toSet());

        assertThat(tags).hasSize(8).allMatch(t -> t.matches("container-[0-7]"));
        assertThat(settings.sliceTag("container", "c1")).isEqualTo(settings.sliceTag("container", "c1"));
    }

    @Test
    void shouldRejectNonPositiveSliceCount() {
        assertThatThrownBy(() -> new ActorsSettings(Duration.ofSeconds(1), 100, 2, 0, Duration.ZERO, Duration.ZERO, 0,
                "keel.journal.embedded.query"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
