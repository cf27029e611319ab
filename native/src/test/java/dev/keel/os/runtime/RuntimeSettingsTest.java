package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    /** The settings of the module's reference.conf. */
    static RuntimeSettings reference() {
        return RuntimeSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.native.runtime"));
    }

    @Test
    void shouldReadTheDefaultsFromReferenceConf() {
        RuntimeSettings settings = reference();

        assertThat(settings.defaultRuntime()).isEqualTo("runc");
        assertThat(settings.runtimes()).containsEntry("runc", Path.of("/usr/sbin/runc"))
            .containsEntry("crun", Path.of("/usr/bin/crun"));
        assertThat(settings.monitorPath()).as("the keel-monitor in the jar").isEmpty();
        assertThat(settings.cgroupParent()).isEqualTo("/keel");
        assertThat(settings.defaultStopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.runtimeStateDir("runc")).isEqualTo(settings.execRoot().resolve("runc"));
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
    void shouldRejectADefaultRuntimeThatIsNotConfigured() {
        RuntimeSettings settings = reference();

        assertThatThrownBy(() -> settings.withDefaultRuntime("kata"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("default-runtime kata is not one of the runtimes [crun, runc]");
    }

    @Test
    void shouldRejectARuntimeNamedLikeTheExitDirectory() {
        RuntimeSettings settings = reference();

        assertThatThrownBy(() -> settings.withRuntime("exits", Path.of("/usr/bin/x")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid runtime name \"exits\"");
    }

    @Test
    void shouldLeaveOutABuiltInRuntimeWhoseBinaryIsMissingButKeepTheOperators() {
        RuntimeSettings settings = reference().withRuntime("crun", Path.of("/nonexistent/crun"))
            .withRuntime("traced", Path.of("/nonexistent/traced"));

        assertThat(settings.offeredRuntimes()).containsOnlyKeys("runc", "traced");
    }

    @Test
    void shouldKeepARuntimesArguments() {
        var config = ConfigFactory.parseString("runtimes.traced { path = \"/usr/bin/x\", runtime-args = [\"--debug\"] }")
            .withFallback(ConfigFactory.defaultReference().getConfig("keel.native.runtime"));

        RuntimeSettings settings = RuntimeSettings.fromConfig(config);

        assertThat(settings.runtimeArgs()).containsOnly(Map.entry("traced", List.of("--debug")));
    }
}
