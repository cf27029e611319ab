package dev.keel.httpapi.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigTest {

    @TempDir
    Path dir;

    private Config defaults() {
        return ConfigFactory.parseString("""
                keel.daemon {
                  hosts = []
                  data-root = "/var/lib/keel"
                  exec-root = "/run/keel"
                  log-level = "info"
                  debug = false
                  group = "root"
                  config-file = "%s"
                }
                keel.cluster.port = 0
                """.formatted(dir.resolve("absent.json")));
    }

    private Config load(String... args) throws BadUsage {
        return DaemonConfig.load(DaemonFlags.parse(args), defaults()).config().withFallback(defaults()).resolve();
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void shouldUseDefaultsWhenNothingIsGiven() throws BadUsage {
        assertThat(load().getString("keel.daemon.data-root")).isEqualTo("/var/lib/keel");
    }

    @Test
    void shouldPreferFlagOverOverrideOverFileOverDefault() throws Exception {
        Path json = file("daemon.json", """
                {"data-root": "/from-file", "exec-root": "/exec-from-file", "pidfile": "/pid-from-file"}
                """);

        Config config = load("--config-file", json.toString(), "--data-root", "/from-flag",
                "-D", "keel.daemon.data-root=/from-override", "-D", "keel.daemon.exec-root=/exec-from-override");

        assertThat(config.getString("keel.daemon.data-root")).isEqualTo("/from-flag");
        assertThat(config.getString("keel.daemon.exec-root")).isEqualTo("/exec-from-override");
        assertThat(config.getString("keel.daemon.pidfile")).isEqualTo("/pid-from-file");
        assertThat(config.getString("keel.daemon.log-level")).isEqualTo("info");
    }

    @Test
    void shouldMapDockerDaemonJsonKeysUnderKeelDaemon() throws Exception {
        Path json = file("daemon.json", """
                {"hosts": ["unix:///x.sock", "tcp://127.0.0.1:2375"], "log-level": "warn", "debug": true, "group": "docker"}
                """);

        Config config = load("--config-file", json.toString());

        assertThat(config.getStringList("keel.daemon.hosts")).containsExactly("unix:///x.sock", "tcp://127.0.0.1:2375");
        assertThat(config.getString("keel.daemon.log-level")).isEqualTo("warn");
        assertThat(config.getBoolean("keel.daemon.debug")).isTrue();
        assertThat(config.getString("keel.daemon.group")).isEqualTo("docker");
    }

    @Test
    void shouldMapDockerDaemonJsonTlsKeysAndLetFlagsWin() throws Exception {
        Path json = file("daemon.json", """
                {"tls": true, "tlsverify": true, "tlscacert": "/f/ca.pem", "tlscert": "/f/cert.pem", "tlskey": "/f/key.pem"}
                """);

        DaemonConfig.Loaded loaded = DaemonConfig.load(
                DaemonFlags.parse("--config-file", json.toString(), "--tlskey", "/flag/key.pem"), defaults());
        Config config = loaded.config();

        assertThat(loaded.warnings()).isEmpty();
        assertThat(config.getBoolean("keel.daemon.tls")).isTrue();
        assertThat(config.getBoolean("keel.daemon.tlsverify")).isTrue();
        assertThat(config.getString("keel.daemon.tlscacert")).isEqualTo("/f/ca.pem");
        assertThat(config.getString("keel.daemon.tlscert")).isEqualTo("/f/cert.pem");
        assertThat(config.getString("keel.daemon.tlskey")).isEqualTo("/flag/key.pem");
    }

    @Test
    void shouldTakeKeelAndPekkoPathsFromTheFileAsTheyAre() throws Exception {
        Path conf = file("daemon.conf", """
                keel.cluster.port = 2552
                pekko.loglevel = DEBUG
                """);

        Config config = load("--config-file", conf.toString());

        assertThat(config.getInt("keel.cluster.port")).isEqualTo(2552);
        assertThat(config.getString("pekko.loglevel")).isEqualTo("DEBUG");
    }

    @Test
    void shouldWarnAboutDockerKeysKeeldDoesNotUnderstand() throws Exception {
        Path json = file("daemon.json", """
                {"storage-driver": "overlay2", "data-root": "/d"}
                """);

        DaemonConfig.Loaded loaded = DaemonConfig.load(DaemonFlags.parse("--config-file", json.toString()), defaults());

        assertThat(loaded.warnings()).singleElement().asString().contains("storage-driver");
        assertThat(loaded.config().getString("keel.daemon.data-root")).isEqualTo("/d");
    }

    @Test
    void shouldRejectAnExplicitConfigFileThatDoesNotExist() {
        assertThatThrownBy(() -> load("--config-file", dir.resolve("missing.json").toString()))
                .isInstanceOf(BadUsage.class)
                .hasMessageContaining("missing.json does not exist");
    }

    @Test
    void shouldRejectAnUnparsableConfigFile() throws Exception {
        Path broken = file("broken.json", "{\"data-root\": ");

        assertThatThrownBy(() -> load("--config-file", broken.toString()))
                .isInstanceOf(BadUsage.class)
                .hasMessageContaining("cannot read config file");
    }

    @Test
    void shouldReadTheDefaultConfigFileOnlyWhenItExists() throws Exception {
        assertThat(DaemonConfig.load(DaemonFlags.parse(), defaults()).file()).isEmpty();

        file("absent.json", "{\"data-root\": \"/default-file\"}");

        assertThat(load().getString("keel.daemon.data-root")).isEqualTo("/default-file");
    }

    @Test
    void shouldParseBracketedOverridesAsHocon() throws BadUsage {
        Config config = load("-D", "keel.daemon.hosts=[\"unix:///a.sock\", \"unix:///b.sock\"]");

        assertThat(config.getStringList("keel.daemon.hosts")).containsExactly("unix:///a.sock", "unix:///b.sock");
    }

    @Test
    void shouldKeepOverrideValuesThatLookLikeHoconAsStrings() throws BadUsage {
        Config config = load("-D", "keel.daemon.data-root=/var//lib: keel", "-D", "keel.cluster.port=2552");

        assertThat(config.getString("keel.daemon.data-root")).isEqualTo("/var//lib: keel");
        assertThat(config.getInt("keel.cluster.port")).isEqualTo(2552);
    }

    @Test
    void shouldTurnDebugFlagIntoDebugSetting() throws BadUsage {
        assertThat(load("-D").getBoolean("keel.daemon.debug")).isTrue();
    }

    @Test
    void shouldMapLogOptsRotationToTheRuntimesLogSettings() throws IOException, BadUsage {
        Path json = file("rotation.json", "{\"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"}}");
        Config config = load("--config-file", json.toString());
        assertThat(config.getString("keel.native.runtime.log.max-size")).isEqualTo("10m");
        assertThat(config.getString("keel.native.runtime.log.max-file")).isEqualTo("3");
    }

    @Test
    void shouldMapDaemonJsonRuntimesAndDefaultRuntimeToTheRuntimeSettings() throws IOException, BadUsage {
        Path json = file("runtimes.json", """
                {"default-runtime": "traced",
                 "runtimes": {"traced": {"path": "/usr/local/bin/traced", "runtimeArgs": ["--debug"]}}}
                """);

        Config config = load("--config-file", json.toString());

        assertThat(config.getString("keel.native.runtime.default-runtime")).isEqualTo("traced");
        assertThat(config.getString("keel.native.runtime.runtimes.traced.path")).isEqualTo("/usr/local/bin/traced");
        assertThat(config.getStringList("keel.native.runtime.runtimes.traced.runtime-args")).containsExactly("--debug");
    }

    @Test
    void shouldMapAddRuntimeAndDefaultRuntimeFlagsOverTheFile() throws IOException, BadUsage {
        Path json = file("runtimes.json", "{\"runtimes\": {\"traced\": {\"path\": \"/from-file\"}}}");

        Config config = load("--config-file", json.toString(), "--add-runtime", "traced=/from-flag",
                "--add-runtime=my.rt=/opt/rt", "--default-runtime", "my.rt");

        assertThat(config.getString("keel.native.runtime.runtimes.traced.path")).isEqualTo("/from-flag");
        assertThat(config.getString("keel.native.runtime.runtimes.\"my.rt\".path")).isEqualTo("/opt/rt");
        assertThat(config.getString("keel.native.runtime.default-runtime")).isEqualTo("my.rt");
    }
}
