package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    /** The settings of the module's reference.conf. */
    static RuntimeSettings reference() {
        return RuntimeSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.native.runtime"));
    }

    @Test
    void shouldReadTheDefaultsFromReferenceConf() {
        RuntimeSettings settings = reference();

        assertThat(settings.runtimeName()).isEqualTo("runc");
        assertThat(settings.runtimePath()).isEqualTo(Path.of("/usr/sbin/runc"));
        assertThat(settings.monitorPath()).as("the keel-monitor in the jar").isEmpty();
        assertThat(settings.cgroupParent()).isEqualTo("/keel");
        assertThat(settings.defaultStopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.runtimeStateDir()).isEqualTo(settings.execRoot().resolve("runc"));
        assertThat(settings.exitDir()).isEqualTo(settings.execRoot().resolve("exits"));
    }

    @Test
    void shouldRejectARelativePath() {
        RuntimeSettings settings = reference();

        assertThatThrownBy(() -> settings.withRoots(Path.of("state"), settings.execRoot()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("absolute");
    }

    @Test
    void shouldRejectAnUnknownRuntimeName() {
        RuntimeSettings settings = reference();

        assertThatThrownBy(() -> settings.withRuntime("kata", Path.of("/usr/bin/kata")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("runc or crun");
    }
}
