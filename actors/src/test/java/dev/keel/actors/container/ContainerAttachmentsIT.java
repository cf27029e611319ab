package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.keel.os.runtime.ContainerSpec;
import dev.keel.os.runtime.RuncRuntime;
import dev.keel.os.runtime.RuntimeFailure;
import dev.keel.os.runtime.RuntimeSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attachments through real keel-monitor and runc, as root, on a busybox root filesystem. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerAttachmentsIT {

    private static final String CGROUP_PARENT = "/keel-attachments-it";

    private static Path testRoot;
    private static Path rootfs;
    private static RuntimeSettings settings;
    private static RuncRuntime runtime;
    private static ActorSystem<Void> system;
    private static int counter;

    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        testRoot = Files.createTempDirectory("keel-attachments-");
        rootfs = testRoot.resolve("rootfs");
        for (String dir : List.of("bin", "proc", "sys", "dev", "etc", "tmp", "root")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "cat", "echo", "stty")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        settings = RuntimeSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.native.runtime"))
                .withRoots(testRoot.resolve("state"), testRoot.resolve("exec"))
                .withCgroupParent(CGROUP_PARENT);
        runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
        system = ActorSystem.create(Behaviors.empty(), "ContainerAttachmentsIT");
    }

    @AfterEach
    void removeContainers() {
        for (String id : created) {
            try {
                runtime.delete(id, true);
            } catch (RuntimeFailure e) {
                assertThat(e.reason()).isEqualTo(RuntimeFailure.Reason.NO_SUCH_CONTAINER);
            }
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        system.terminate();
        runtime.close();
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Files.deleteIfExists(controller.resolve(CGROUP_PARENT.substring(1)));
            }
        }
        try (Stream<Path> paths = Files.walk(testRoot)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private ContainerSpec spec(String... args) {
        String id = "attachments" + (++counter) + "-" + ProcessHandle.current().pid();
        created.add(id);
        return ContainerSpec.of(id, rootfs, List.of(args));
    }

    private static String text(List<Containers.LogLine> lines, Containers.LogStream stream) {
        return lines.stream().filter(l -> l.stream() == stream)
                .map(l -> new String(l.content(), StandardCharsets.UTF_8)).collect(Collectors.joining());
    }

    @Test
    void shouldConnectWhenTheMonitorComesUpAfterTheAttachAndMissNoOutput() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "echo first; echo oops >&2");
        Containers.Attachment attachment = ContainerAttachments.attach(settings, spec.id(), false, false);
        CompletableFuture<List<Containers.LogLine>> output =
                attachment.output().runWith(Sink.seq(), system).toCompletableFuture();

        runtime.create(spec);
        runtime.start(spec.id());

        List<Containers.LogLine> lines = output.get(20, TimeUnit.SECONDS);
        assertThat(text(lines, Containers.LogStream.STDOUT)).isEqualTo("first\n");
        assertThat(text(lines, Containers.LogStream.STDERR)).isEqualTo("oops\n");
    }

    @Test
    void shouldEndTheContainersStdinWhenTheInputCompletes() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "cat; echo stdin closed").withOpenStdin(true);
        runtime.create(spec);
        Containers.Attachment attachment = ContainerAttachments.attach(settings, spec.id(), false, true);
        CompletableFuture<List<Containers.LogLine>> output =
                attachment.output().runWith(Sink.seq(), system).toCompletableFuture();
        runtime.start(spec.id());

        Source.from(List.of(ByteString.fromString("hello\n"), ByteString.fromString("world\n")))
                .runWith(attachment.input(), system);

        assertThat(text(output.get(20, TimeUnit.SECONDS), Containers.LogStream.STDOUT))
                .isEqualTo("hello\nworld\nstdin closed\n");
        assertThat(runtime.awaitExit(spec.id()).get(20, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void shouldEndTheContainersStdinAfterMegabytesThatAreStillBeingEchoed() throws Exception {
        ContainerSpec spec = spec("cat").withOpenStdin(true);
        runtime.create(spec);
        Containers.Attachment attachment = ContainerAttachments.attach(settings, spec.id(), false, true);
        CompletableFuture<Long> echoed = attachment.output()
                .runFold(0L, (bytes, line) -> bytes + line.content().length, system).toCompletableFuture();
        runtime.start(spec.id());
        byte[] chunk = new byte[16384];
        new java.util.Random(3).nextBytes(chunk);

        Source.repeat(ByteString.fromArray(chunk)).take(256).runWith(attachment.input(), system);

        assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(256L * chunk.length);
        assertThat(runtime.awaitExit(spec.id()).get(20, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void shouldGiveATerminalsRawBytesAsStdoutAndReachItsSize() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "read line; stty size; echo \"got $line\" >&2").withTty(true);
        runtime.create(spec);
        Containers.Attachment attachment = ContainerAttachments.attach(settings, spec.id(), true, true);
        CompletableFuture<List<Containers.LogLine>> output =
                attachment.output().runWith(Sink.seq(), system).toCompletableFuture();
        runtime.start(spec.id());
        attachment.resize(24, 80);

        Source.single(ByteString.fromString("hi\r")).concat(Source.never()).runWith(attachment.input(), system);

        List<Containers.LogLine> lines = output.get(20, TimeUnit.SECONDS);
        assertThat(lines).allMatch(l -> l.stream() == Containers.LogStream.STDOUT);
        assertThat(text(lines, Containers.LogStream.STDOUT)).contains("24 80\r\n", "got hi\r\n");
    }

    @Test
    void shouldLetTheMonitorGoWhenTheOutputIsCancelled() throws Exception {
        ContainerSpec spec = spec("sh", "-c", "while true; do echo tick; done");
        runtime.create(spec);
        Containers.Attachment attachment = ContainerAttachments.attach(settings, spec.id(), false, false);
        runtime.start(spec.id());

        List<Containers.LogLine> first = attachment.output().take(3).runWith(Sink.seq(), system)
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
        // A connection left unread would stall the monitor: a second attacher would then see nothing.
        List<Containers.LogLine> next = ContainerAttachments.attach(settings, spec.id(), false, false).output()
                .take(1000).runWith(Sink.seq(), system).toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(first).hasSize(3);
        assertThat(next).hasSize(1000);
    }
}
