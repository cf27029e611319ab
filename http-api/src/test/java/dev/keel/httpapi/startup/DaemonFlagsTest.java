package dev.keel.httpapi.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonFlagsTest {

    @Test
    void shouldLeaveEverythingUnsetWhenNoFlagsAreGiven() throws BadUsage {
        DaemonFlags flags = DaemonFlags.parse();

        assertThat(flags.hosts()).isEmpty();
        assertThat(flags.dataRoot()).isEmpty();
        assertThat(flags.debug()).isFalse();
        assertThat(flags.overrides()).isEmpty();
    }

    @Test
    void shouldAcceptEveryDockerdSpellingOfAValueFlag() throws BadUsage {
        DaemonFlags flags = DaemonFlags.parse("-H", "unix:///a.sock", "-Htcp://127.0.0.1:1", "--host=tcp://127.0.0.1:2",
                "--host", "unix:///b.sock", "--data-root=/d", "--exec-root", "/e", "-p", "/p.pid", "-l", "warn", "-G=docker",
                "--config-file", "/c.json");

        assertThat(flags.hosts()).containsExactly("unix:///a.sock", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", "unix:///b.sock");
        assertThat(flags.dataRoot()).contains("/d");
        assertThat(flags.execRoot()).contains("/e");
        assertThat(flags.pidFile()).contains("/p.pid");
        assertThat(flags.logLevel()).contains("warn");
        assertThat(flags.group()).contains("docker");
        assertThat(flags.configFile()).contains("/c.json");
    }

    @Test
    void shouldReadDockerdsTlsFlags() throws BadUsage {
        DaemonFlags flags = DaemonFlags.parse("--tlsverify", "--tlscacert", "/ca.pem", "--tlscert=/cert.pem",
                "--tlskey", "/key.pem");

        assertThat(flags.tlsVerify()).contains(true);
        assertThat(flags.tls()).isEmpty();
        assertThat(flags.tlsCaCert()).contains("/ca.pem");
        assertThat(flags.tlsCert()).contains("/cert.pem");
        assertThat(flags.tlsKey()).contains("/key.pem");
    }

    @Test
    void shouldReadTlsBooleansAsGoDoes() throws BadUsage {
        assertThat(DaemonFlags.parse("--tls").tls()).contains(true);
        assertThat(DaemonFlags.parse("--tls=false").tls()).contains(false);
        assertThat(DaemonFlags.parse("--tlsverify=1").tlsVerify()).contains(true);
        assertThatThrownBy(() -> DaemonFlags.parse("--tlsverify=yes"))
                .isInstanceOf(BadUsage.class)
                .hasMessage("invalid boolean value \"yes\" for --tlsverify");
    }

    @Test
    void shouldReadDashDWithKeyValueAsAnOverrideInBothSpellings() throws BadUsage {
        DaemonFlags flags = DaemonFlags.parse("-D", "keel.cluster.port=2552", "-Dpekko.loglevel=DEBUG", "-Da.b=x=y");

        assertThat(flags.overrides()).isEqualTo(Map.of("keel.cluster.port", "2552", "pekko.loglevel", "DEBUG", "a.b", "x=y"));
        assertThat(flags.debug()).isFalse();
    }

    @Test
    void shouldReadBareDashDAsDebugLikeDockerd() throws BadUsage {
        assertThat(DaemonFlags.parse("-D").debug()).isTrue();
        assertThat(DaemonFlags.parse("-D", "--data-root", "/d").debug()).isTrue();
        assertThat(DaemonFlags.parse("--debug").debug()).isTrue();
    }

    @Test
    void shouldRejectAnUnknownFlag() {
        assertThatThrownBy(() -> DaemonFlags.parse("--storage-driver", "overlay2"))
                .isInstanceOf(BadUsage.class)
                .hasMessage("unknown flag: --storage-driver");
    }

    @Test
    void shouldRejectAValueFlagWithoutItsValue() {
        assertThatThrownBy(() -> DaemonFlags.parse("--data-root"))
                .isInstanceOf(BadUsage.class)
                .hasMessage("flag needs an argument: --data-root");
    }

    @Test
    void shouldRejectPositionalArguments() {
        assertThatThrownBy(() -> DaemonFlags.parse("start"))
                .isInstanceOf(BadUsage.class)
                .hasMessageContaining("takes no arguments");
    }

    @Test
    void shouldRejectAnOverrideWithoutAKey() {
        assertThatThrownBy(() -> DaemonFlags.parse("-D=oops"))
                .isInstanceOf(BadUsage.class)
                .hasMessageContaining("expected -D key=value");
    }

    @Test
    void shouldRecogniseHelp() throws BadUsage {
        assertThat(DaemonFlags.parse("--help").help()).isTrue();
        assertThat(DaemonFlags.parse("-h").help()).isTrue();
        assertThat(DaemonFlags.USAGE).contains("--data-root", "-H, --host", "-D key=value");
    }

    @Test
    void shouldReadAddedRuntimesAndTheDefaultRuntime() throws BadUsage {
        DaemonFlags flags = DaemonFlags.parse("--add-runtime", "traced=/usr/local/bin/traced", "--add-runtime=crun=/opt/crun",
                "--default-runtime=traced");

        assertThat(flags.addedRuntimes()).containsExactlyInAnyOrderEntriesOf(
                Map.of("traced", "/usr/local/bin/traced", "crun", "/opt/crun"));
        assertThat(flags.defaultRuntime()).contains("traced");
    }

    @Test
    void shouldRejectAnAddedRuntimeWithoutAPath() {
        assertThatThrownBy(() -> DaemonFlags.parse("--add-runtime", "traced"))
                .isInstanceOf(BadUsage.class).hasMessageContaining("expected NAME=PATH");
    }
}
