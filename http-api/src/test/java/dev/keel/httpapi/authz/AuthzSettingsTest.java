package dev.keel.httpapi.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.httpapi.startup.BadUsage;
import dev.keel.httpapi.startup.DaemonConfig;
import dev.keel.httpapi.startup.DaemonFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --authorization-plugin} and daemon.json's {@code authorization-plugins}, down to the settings. */
class AuthzSettingsTest {

    @TempDir
    Path dir;

    private AuthorizationSettings load(String... args) throws BadUsage {
        Config defaults = ConfigFactory.parseString("keel.daemon.config-file = \"" + dir.resolve("absent.json") + "\"")
                .withFallback(ConfigFactory.defaultReference());
        return AuthorizationSettings.from(DaemonConfig.load(DaemonFlags.parse(args), defaults).config()
                .withFallback(defaults).resolve());
    }

    @Test
    void shouldTakeTheRepeatedFlagInOrder() throws BadUsage {
        assertThat(load("--authorization-plugin", "first", "--authorization-plugin=second").plugins())
                .containsExactly("first", "second");
    }

    @Test
    void shouldTakeDaemonJsonsKey() throws Exception {
        Path json = Files.writeString(dir.resolve("daemon.json"), "{\"authorization-plugins\": [\"from-file\"]}");

        assertThat(load("--config-file", json.toString()).plugins()).containsExactly("from-file");
    }

    @Test
    void shouldPreferTheFlagsOverDaemonJson() throws Exception {
        Path json = Files.writeString(dir.resolve("daemon.json"), "{\"authorization-plugins\": [\"from-file\"]}");

        assertThat(load("--config-file", json.toString(), "--authorization-plugin", "from-flag").plugins())
                .containsExactly("from-flag");
    }

    @Test
    void shouldRefuseTheFlagWithoutAName() {
        assertThatThrownBy(() -> DaemonFlags.parse("--authorization-plugin")).isInstanceOf(BadUsage.class)
                .hasMessageContaining("--authorization-plugin");
    }

    @Test
    void shouldHaveNoPluginsByDefault() {
        assertThat(AuthorizationSettings.from(ConfigFactory.load()).plugins()).isEmpty();
    }

    @Test
    void shouldKeepTheOrderAndAskAPluginNamedTwiceOnce() {
        AuthorizationSettings settings = AuthorizationSettings.from(ConfigFactory.parseString(
                "keel.daemon.authorization-plugins = [b, a, b]"));

        assertThat(settings.plugins()).containsExactly("b", "a");
    }

    @Test
    void shouldRefuseAnEmptyName() {
        assertThatThrownBy(() -> new AuthorizationSettings(List.of("authz", " ")))
                .hasMessageContaining("must not be empty");
    }
}
