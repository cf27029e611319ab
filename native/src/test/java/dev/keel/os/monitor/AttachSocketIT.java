package dev.keel.os.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.keel.os.runtime.ContainerSpec;
import dev.keel.os.runtime.RuncRuntime;
import dev.keel.os.runtime.RuntimeFailure;
import dev.keel.os.runtime.RuntimeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The monitor's attach socket with real keel-monitor and runc, as root, on a busybox root filesystem. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttachSocketIT {

    private static final String CGROUP_PARENT = "/keel-attach-it";
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private static Path testRoot;
    private static Path rootfs;
    private static RuntimeSettings settings;
    private static RuncRuntime runtime;
    private static int counter;

    private final List<String> created = new ArrayList<>();
    private final List<AttachSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        testRoot = Files.createTempDirectory("keel-attach-");
        rootfs = testRoot.resolve("rootfs");
        for (String dir : List.of("bin", "proc", "sys", "dev", "etc", "tmp", "root")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "cat", "echo", "stty", "true")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        settings = RuntimeSettings.fromConfig(ConfigFactory.defaultReference().getConfig("keel.native.runtime"))
            .withRoots(testRoot.resolve("state"), testRoot.resolve("exec"))
            .withCgroupParent(CGROUP_PARENT);
        runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
    }

    @AfterEach
    void removeContainers() {
        sockets.forEach(AttachSocket::close);
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
        if (runtime != null) {
            runtime.close();
        }
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

    /** Creates the container (its monitor and attach socket now exist) without starting it. */
    private String create(ContainerSpec spec) {
        created.add(spec.id());
        runtime.create(spec);
        return spec.id();
    }

    private ContainerSpec spec(String... args) {
        return ContainerSpec.of("attach" + (++counter) + "-" + ProcessHandle.current().pid(), rootfs, List.of(args));
    }

    private AttachSocket connect(String id) throws IOException {
        AttachSocket socket = AttachSocket.connect(AttachSocket.path(settings.socketDir(), id));
        sockets.add(socket);
        return socket;
    }

    /** Reads packets until {@code until} holds for what was read, or to the end when it never does. */
    private static List<AttachSocket.Packet> read(AttachSocket socket, Predicate<List<AttachSocket.Packet>> until)
            throws IOException {
        List<AttachSocket.Packet> packets = new ArrayList<>();
        for (Optional<AttachSocket.Packet> p = socket.read(); p.isPresent(); p = socket.read()) {
            packets.add(p.get());
            if (until.test(packets)) {
                break;
            }
        }
        return packets;
    }

    private static String text(List<AttachSocket.Packet> packets, LogStream stream) {
        StringBuilder text = new StringBuilder();
        packets.stream().filter(p -> p.stream() == stream)
            .forEach(p -> text.append(new String(p.bytes(), StandardCharsets.UTF_8)));
        return text.toString();
    }

    private static Predicate<List<AttachSocket.Packet>> stdoutContains(String text) {
        return packets -> text(packets, LogStream.STDOUT).contains(text);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDeliverEachStreamsOutputInItsOwnPacketsUntilTheContainerEnds() throws Exception {
        String id = create(spec("sh", "-c", "echo out; echo err >&2; echo more"));
        AttachSocket output = connect(id);
        runtime.start(id);

        List<AttachSocket.Packet> packets = read(output, p -> false);

        assertThat(text(packets, LogStream.STDOUT)).isEqualTo("out\nmore\n");
        assertThat(text(packets, LogStream.STDERR)).isEqualTo("err\n");
        assertThat(runtime.awaitExit(id).get(20, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void shouldFeedStdinToCatAndEndItWhenTheStdinConnectionCloses() throws Exception {
        String id = create(spec("sh", "-c", "cat; echo stdin closed").withOpenStdin(true));
        AttachSocket output = connect(id);
        AttachSocket input = connect(id);
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                read(input, p -> false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        runtime.start(id);

        input.write(bytes("hello\n"));
        List<AttachSocket.Packet> echoed = read(output, stdoutContains("hello\n"));
        input.close();
        List<AttachSocket.Packet> rest = read(output, p -> false);

        assertThat(text(echoed, LogStream.STDOUT)).isEqualTo("hello\n");
        assertThat(text(rest, LogStream.STDOUT)).isEqualTo("stdin closed\n");
        assertThat(runtime.awaitExit(id).get(20, TimeUnit.SECONDS).exitCode()).isZero();
        drained.get(20, TimeUnit.SECONDS);
    }

    @Test
    void shouldEndStdinOnAHalfCloseWhileMegabytesAreStillEchoed() throws Exception {
        String id = create(spec("sh", "-c", "cat; echo stdin closed").withOpenStdin(true));
        AttachSocket attached = connect(id);
        runtime.start(id);
        byte[] chunk = new byte[16384];
        new java.util.Random(7).nextBytes(chunk);
        CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> {
            try {
                long bytes = 0;
                for (Optional<AttachSocket.Packet> p = attached.read(); p.isPresent(); p = attached.read()) {
                    bytes += p.get().bytes().length;
                }
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        for (int i = 0; i < 256; i++) {
            attached.write(ByteBuffer.wrap(chunk));
        }
        attached.endInput();

        assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(256L * chunk.length + "stdin closed\n".length());
        assertThat(runtime.awaitExit(id).get(20, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void shouldSendRawTerminalBytesAsStdoutAndApplyTheResize() throws Exception {
        String id = create(spec("sh", "-c", "read line; stty size; echo \"got $line\" >&2").withTty(true));
        AttachSocket terminal = connect(id);
        runtime.start(id);
        MonitorControl.of(settings.socketDir(), id).resize(50, 132);

        terminal.write(bytes("hi\r"));
        List<AttachSocket.Packet> packets = read(terminal, p -> false);

        assertThat(packets).allMatch(p -> p.stream() == LogStream.STDOUT);
        assertThat(text(packets, LogStream.STDOUT)).contains("hi\r\n").contains("50 132\r\n").contains("got hi\r\n");
    }

    @Test
    void shouldRefuseAResizeOnceTheMonitorIsGone() throws Exception {
        String id = create(spec("true").withTty(true));
        runtime.start(id);
        runtime.awaitExit(id).get(20, TimeUnit.SECONDS);
        MonitorControl control = MonitorControl.of(settings.socketDir(), id);
        assertThat(waitForMonitorExit(id)).isTrue();

        assertThatThrownBy(() -> control.resize(10, 20))
            .isInstanceOf(MonitorFailure.class).hasMessageContaining("not running");
    }

    /** The monitor outlives the container briefly (it writes the exit file first); its attach socket closes with it. */
    private boolean waitForMonitorExit(String id) throws IOException {
        AttachSocket socket;
        try {
            socket = connect(id);
        } catch (java.net.SocketException alreadyGone) {
            return true;
        }
        return socket.read().isEmpty();
    }
}
