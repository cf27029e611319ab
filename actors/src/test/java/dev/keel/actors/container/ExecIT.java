package dev.keel.actors.container;

import static dev.keel.actors.container.ContainerHost.IMAGE;
import static dev.keel.actors.container.ContainerHost.await;
import static dev.keel.actors.container.ContainerHost.config;
import static dev.keel.actors.container.ContainerHost.eventually;
import static dev.keel.actors.container.ContainerHost.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.Containers.LogLine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@link LocalExecs} on a real single-node cluster with the embedded journal, real runc, real keel-monitor in exec mode and
 * overlayfs, with a busybox image made from the host's static /bin/busybox.
 */
class ExecIT {

    private static ContainerHost host;
    private static LocalContainers containers;
    private static Execs execs;

    @BeforeAll
    static void start() throws Exception {
        host = ContainerHost.start("ExecIT", "/keel-it-execs");
        containers = host.containers();
        execs = containers.execs();
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        host.removeEveryContainer();
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void shouldRecordTheExitCodeOfAnAttachedExecOnceItsOutputEnds() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(false, false, "sh", "-c", "echo out; echo err >&2; exit 5")));

        List<LogLine> output = await(await(execs.startAttached(exec)).output().runWith(Sink.seq(), host.system()));

        assertThat(text(output, Containers.LogStream.STDOUT)).isEqualTo("out\n");
        assertThat(text(output, Containers.LogStream.STDERR)).isEqualTo("err\n");
        Execs.ExecState state = await(execs.inspect(exec));
        assertThat(state.exitCode()).contains(5);
        assertThat(state.running()).isFalse();
        assertThat(state.pid()).isPositive();
    }

    @Test
    void shouldRunWithItsOwnEnvironmentUserAndWorkingDirectory() throws Exception {
        String container = host.run(config("sleep", "1000"));
        Execs.ExecRequest request = new Execs.ExecRequest(List.of("sh", "-c", "id -u; pwd; echo $A"), List.of("A=b"),
                "/tmp", "nobody", false, false, true, true, false, "");
        String exec = await(execs.create(container, request));

        List<LogLine> output = await(await(execs.startAttached(exec)).output().runWith(Sink.seq(), host.system()));

        assertThat(text(output, Containers.LogStream.STDOUT)).isEqualTo("65534\n/tmp\nb\n");
        assertThat(await(execs.inspect(exec)).exitCode()).contains(0);
    }

    @Test
    void shouldPassStdinAndCloseItWhenTheClientsInputEnds() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(true, false, "cat")));
        Containers.Attachment attachment = await(execs.startAttached(exec));

        CompletionStage<List<LogLine>> output = attachment.output().runWith(Sink.seq(), host.system());
        Source.single(ByteString.fromString("line-a\n")).runWith(attachment.input(), host.system());

        assertThat(text(await(output), Containers.LogStream.STDOUT)).isEqualTo("line-a\n");
        assertThat(await(execs.inspect(exec)).exitCode()).contains(0);
    }

    @Test
    void shouldGiveATerminalWhenAsked() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(false, true, "tty")));

        List<LogLine> output = await(await(execs.startAttached(exec)).output().runWith(Sink.seq(), host.system()));

        assertThat(text(output, Containers.LogStream.STDOUT)).isEqualTo("/dev/pts/0\r\n");
    }

    @Test
    void shouldRunDetachedAndRecordTheExitCode() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(false, false, "sh", "-c", "sleep 0.2; exit 7")));

        Execs.ExecState started = await(execs.startDetached(exec));

        assertThat(started.running()).isTrue();
        assertThat(eventually(() -> join(execs.inspect(exec)).exitCode().equals(Optional.of(7)))).isTrue();
        assertThatThrownBy(() -> await(execs.startDetached(exec)))
                .hasCauseInstanceOf(EngineFailure.class)
                .cause().hasMessageContaining("has already run");
    }

    @Test
    void shouldAnswerTheRuntimesMessageAndExit127ForAnUnknownCommand() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(false, false, "no-such-command")));

        List<LogLine> output = await(await(execs.startAttached(exec)).output().runWith(Sink.seq(), host.system()));

        assertThat(text(output, Containers.LogStream.STDOUT))
                .startsWith("OCI runtime exec failed: ").contains("no-such-command").endsWith("\r\n");
        assertThat(await(execs.inspect(exec)).exitCode()).contains(127);
    }

    @Test
    void shouldRefuseAnExecInAContainerThatDoesNotRun() throws Exception {
        String container = await(containers.create(new Containers.CreateRequest("", IMAGE, config("sleep", "1"))))
                .containerId();

        assertThatThrownBy(() -> await(execs.create(container, request(false, false, "true"))))
                .hasCauseInstanceOf(EngineFailure.class)
                .cause().hasMessage("Container " + container + " is not running")
                .satisfies(e -> assertThat(((EngineFailure) e).reason()).isEqualTo(Rejection.CONFLICT));
    }

    @Test
    void shouldForgetTheExecsOfARemovedContainer() throws Exception {
        String container = host.run(config("sleep", "1000"));
        String exec = await(execs.create(container, request(false, false, "true")));

        await(containers.remove(container, true, false));

        assertThatThrownBy(() -> await(execs.inspect(exec)))
                .hasCauseInstanceOf(EngineFailure.class)
                .cause().hasMessage("No such exec instance: " + exec);
    }

    private static Execs.ExecRequest request(boolean stdin, boolean tty, String... cmd) {
        return new Execs.ExecRequest(List.of(cmd), List.of(), "", "", tty, stdin, true, true, false, "");
    }

    private static String text(List<LogLine> output, Containers.LogStream stream) {
        StringBuilder text = new StringBuilder();
        output.stream().filter(l -> l.stream() == stream)
                .forEach(l -> text.append(new String(l.content(), StandardCharsets.UTF_8)));
        return text.toString();
    }

}
