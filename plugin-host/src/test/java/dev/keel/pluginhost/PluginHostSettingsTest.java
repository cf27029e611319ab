package dev.keel.pluginhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginHostSettingsTest {

    @Test
    void shouldReadDockersDirectoriesAndTimingsFromReferenceConf() {
        PluginHostSettings settings =
                PluginHostSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.plugin-host"));

        assertThat(settings.socketDirs()).containsExactly(Path.of("/run/docker/plugins"), Path.of("/run/keel/plugins"));
        assertThat(settings.specDirs()).containsExactly(Path.of("/etc/docker/plugins"),
                Path.of("/usr/lib/docker/plugins"));
        assertThat(settings.retryLimit()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.retryInitialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRejectZeroCallTimeout() {
        assertThatThrownBy(() -> new PluginHostSettings(List.of(), List.of(), Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 4096))
                .hasMessageContaining("call-timeout");
    }
}
