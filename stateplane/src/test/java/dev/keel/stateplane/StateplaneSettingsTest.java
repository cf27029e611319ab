package dev.keel.stateplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StateplaneSettingsTest {

    @Test
    void shouldReadVolumesRootFromReferenceConf() {
        StateplaneSettings settings = StateplaneSettings.fromConfig(ConfigFactory.load().getConfig("keel.stateplane"));

        assertThat(settings.volumesRoot()).isEqualTo(Path.of("/var/lib/keel/volumes"));
    }

    @Test
    void shouldRejectRelativeVolumesRoot() {
        assertThatThrownBy(() -> new StateplaneSettings(Path.of("volumes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keel.stateplane.volumes-root must be absolute");
    }
}
