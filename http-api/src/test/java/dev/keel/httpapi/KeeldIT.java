package dev.keel.httpapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import com.typesafe.config.ConfigFactory;
import dev.keel.actors.host.HostEntity;
import dev.keel.journal.query.EmbeddedReadJournal;
import dev.keel.netplane.IsolatedNetplane;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bin/keeld as an operator runs it: a separate process on a temp data root and socket, talked
 * to over the unix socket with raw HTTP/1.1, with its embedded journal in the temp data root.
 */
class KeeldIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));
    private static final long START_TIMEOUT_SECONDS = 90;

    private Path dir;
    private Path dataRoot;
    private Path socket;
    private Path pidFile;
    private Path execRoot;
    private IsolatedNetplane netplane;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void createDirectories() throws IOException {
        dir = Files.createTempDirectory("keeld-it");
        dataRoot = dir.resolve("data");
        socket = dir.resolve("keel.sock");
        pidFile = dir.resolve("keeld.pid");
        execRoot = ShortExecRoot.create("ke");
        netplane = IsolatedNetplane.random(execRoot.resolve("netns"));
    }

    @AfterEach
    void stopAndClean() throws Exception {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        netplane.remove();
        for (Path root : List.of(dir, execRoot)) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A launched keeld with its merged stdout and stderr collected line by line; ended completes at end of output. */
    private record Keeld(Process process, List<String> output, CompletableFuture<String> ready, CompletableFuture<Void> ended) {
        String log() {
            return String.join("\n", output);
        }
    }

    private Keeld launch(Path pidFile, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(),
                "--data-root", dataRoot.toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", pidFile.toString(),
                "-H", "unix://" + socket));
        command.addAll(netplane.daemonFlags());
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.contains("keeld ready: ")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready:\n" + String.join("\n", output)));
            ended.complete(null);
        }, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        return new Keeld(process, output, ready, ended);
    }

    private Keeld launchReady() throws Exception {
        Keeld keeld = launch(pidFile);
        keeld.ready().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return keeld;
    }

    /** The status line, headers (lower-cased names) and body of one raw HTTP/1.1 exchange. */
    private record Response(String statusLine, Map<String, String> headers, String body) {
    }

    private Response request(String method, String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return exchange(channel, method, path, true);
        }
    }

    private Response request(String method, String path, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return exchange(channel, method, path, true, body);
        }
    }

    private static Response exchange(SocketChannel channel, String method, String path, boolean close) throws IOException {
        return exchange(channel, method, path, close, null);
    }

    private static Response exchange(SocketChannel channel, String method, String path, boolean close, byte[] body)
            throws IOException {
        String request = method + " " + path + " HTTP/1.1\r\nHost: keel\r\n" + (close ? "Connection: close\r\n" : "")
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        if (body != null) {
            ByteBuffer content = ByteBuffer.wrap(body);
            while (content.hasRemaining()) {
                channel.write(content);
            }
        }
        StringBuilder raw = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        int headerEnd = -1;
        int contentLength = -1;
        while (true) {
            if (headerEnd < 0 && (headerEnd = raw.indexOf("\r\n\r\n")) >= 0) {
                String lengthLine = raw.substring(0, headerEnd).toLowerCase(Locale.ROOT);
                int at = lengthLine.indexOf("content-length:");
                contentLength = at < 0 ? 0 : Integer.parseInt(lengthLine.substring(at + 15, lengthLine.indexOf("\r\n", at) < 0
                        ? lengthLine.length() : lengthLine.indexOf("\r\n", at)).strip());
                if ("HEAD".equals(method)) {
                    contentLength = 0;
                }
            }
            if (headerEnd >= 0 && raw.length() >= headerEnd + 4 + contentLength) {
                break;
            }
            buffer.clear();
            if (channel.read(buffer) < 0) {
                break;
            }
            raw.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
        }
        String[] lines = raw.substring(0, headerEnd).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new Response(lines[0], headers, raw.substring(headerEnd + 4));
    }

    @Test
    void shouldAnswerPingOverTheUnixSocketWithDockersHeaders() throws Exception {
        Keeld keeld = launchReady();

        Response ping = request("GET", "/_ping");

        assertThat(ping.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(ping.body()).isEqualTo("OK");
        assertThat(ping.headers())
                .containsEntry("api-version", "1.41")
                .containsEntry("ostype", "linux")
                .containsEntry("docker-experimental", "false")
                .containsEntry("cache-control", "no-cache, no-store, must-revalidate")
                .containsEntry("pragma", "no-cache")
                .containsEntry("content-type", "text/plain; charset=UTF-8");
        assertThat(ping.headers().get("server")).startsWith("Keel/").endsWith(" (linux)");
        assertThat(keeld.ready().get()).contains("listening on unix://" + socket, "data root " + dataRoot,
                "(journal " + dataRoot.resolve("journal") + ")", "started in ");
    }

    @Test
    void shouldAnswerHeadAndVersionedPing() throws Exception {
        launchReady();

        Response head = request("HEAD", "/_ping");
        Response versioned = request("GET", "/v1.41/_ping");

        assertThat(head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(head.headers()).containsEntry("api-version", "1.41");
        assertThat(head.body()).isEmpty();
        assertThat(versioned.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(versioned.body()).isEqualTo("OK");
    }

    @Test
    void shouldAnswerUnknownPathsWithDockersJsonNotFound() throws Exception {
        launchReady();

        Response missing = request("GET", "/v1.41/no/such/thing");

        assertThat(missing.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(missing.headers()).containsEntry("content-type", "application/json");
        assertThat(missing.body().strip()).isEqualTo("{\"message\":\"page not found\"}");
    }

    @Test
    void shouldServeVersionAndInfoOfTheRunningEngine() throws Exception {
        launchReady();

        Response version = request("GET", "/v1.41/version");
        Response info = request("GET", "/info");
        Response tooOld = request("GET", "/v1.12/version");

        assertThat(version.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(version.headers()).containsEntry("content-type", "application/json").containsEntry("docker-experimental", "false");
        assertThat(version.body()).contains("\"ApiVersion\":\"1.41\"", "\"MinAPIVersion\":\"1.24\"", "\"Os\":\"linux\"");
        assertThat(info.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(info.body()).contains("\"ID\":\"" + Files.readString(dataRoot.resolve("engine-id")).strip() + "\"",
                "\"Containers\":0", "\"Images\":0", "\"DockerRootDir\":\"" + dataRoot + "\"");
        assertThat(tooOld.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(tooOld.body()).contains("client version 1.12 is too old");
    }

    @Test
    void shouldImportTagInspectSaveAndRemoveAnImage() throws Exception {
        launchReady();
        byte[] rootfs = rootfsTar();

        Response imported = request("POST", "/v1.41/images/create?fromSrc=-&repo=keel-it&tag=1", rootfs);
        Response tagged = request("POST", "/v1.41/images/keel-it:1/tag?repo=localhost:5000/keel/it&tag=2", new byte[0]);
        Response listed = request("GET", "/v1.41/images/json");
        Response inspected = request("GET", "/v1.41/images/localhost:5000/keel/it:2/json");
        Response saved = request("GET", "/v1.41/images/get?names=keel-it:1");
        Response removed = request("DELETE", "/v1.41/images/keel-it:1");
        Response missing = request("GET", "/v1.41/images/keel-it:1/json");

        assertThat(imported.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(imported.body()).startsWith("{\"status\":\"sha256:").endsWith("\"}\n");
        assertThat(tagged.statusLine()).isEqualTo("HTTP/1.1 201 Created");
        assertThat(listed.body()).contains("\"keel-it:1\"", "\"localhost:5000/keel/it:2\"");
        assertThat(inspected.body()).contains("\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:");
        assertThat(saved.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(saved.headers()).containsEntry("content-type", "application/x-tar");
        assertThat(removed.body()).isEqualTo("[{\"Untagged\":\"keel-it:1\"}]");
        assertThat(missing.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(missing.body()).contains("No such image: keel-it:1");
    }

    @Test
    void shouldRefuseBadImageRequestsWithoutChangingAnything() throws Exception {
        launchReady();

        Response badName = request("POST", "/v1.41/images/create?fromSrc=-&repo=Bad%20Name", rootfsTar());
        Response badFilter = request("GET", "/v1.41/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D");
        Response notJson = request("GET", "/v1.41/images/json?filters=nope");
        Response pull = request("POST", "/v1.41/images/create?fromImage=no-such-image&tag=latest", null);
        Response listed = request("GET", "/v1.41/images/json");

        assertThat(badName.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(badName.body()).contains("invalid reference format");
        assertThat(badFilter.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(badFilter.body()).contains("invalid filter 'dangling=maybe'");
        assertThat(notJson.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(pull.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(pull.body()).contains("pull access denied for no-such-image");
        assertThat(listed.body()).isEqualTo("[]");
    }

    /** A one-file root filesystem, archived by the system's tar as a user's would be. */
    private byte[] rootfsTar() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(tree.resolve("hello.txt"), "hello\n");
        Path tar = dir.resolve("rootfs.tar");
        Process process = new ProcessBuilder("tar", "-C", tree.toString(), "-cf", tar.toString(), ".").inheritIO().start();
        assertThat(process.waitFor()).isZero();
        return Files.readAllBytes(tar);
    }

    @Test
    void shouldKeepServingWhileManyIdleConnectionsStayOpen() throws Exception {
        launchReady();
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                idle.add(channel);
                channel.connect(UnixDomainSocketAddress.of(socket));
            }
            Response keptAlive = exchange(idle.get(0), "GET", "/_ping", false);
            Response fresh = request("GET", "/_ping");

            assertThat(keptAlive.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(fresh.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(threads(pid)).as("threads with 1000 idle connections").isLessThan(100);
        } finally {
            for (SocketChannel channel : idle) {
                channel.close();
            }
        }
    }

    private static int threads(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .mapToInt(line -> Integer.parseInt(line.substring("Threads:".length()).strip()))
                .findFirst().orElseThrow();
    }

    @Test
    void shouldRefuseASecondKeeldOnTheSameDataRoot() throws Exception {
        Keeld first = launchReady();
        long firstPid = Long.parseLong(Files.readString(pidFile).strip());

        Keeld second = launch(dir.resolve("second.pid"));

        assertThat(second.process().waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        second.ended().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(second.process().exitValue()).isNotZero();
        assertThat(second.log()).contains("keeld: data root " + dataRoot + " is in use by another keeld (pid " + firstPid
                + "); stop it or choose another --data-root");
        assertThat(first.process().isAlive()).isTrue();
        assertThat(request("GET", "/_ping").statusLine()).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void shouldExitZeroAndCleanUpOnSigterm() throws Exception {
        Keeld keeld = launchReady();
        assertThat(socket).exists();
        assertThat(pidFile).exists();

        // SIGTERM through the handle: Process.destroy() would also close our end of keeld's output.
        keeld.process().toHandle().destroy();

        assertThat(keeld.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        keeld.ended().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(keeld.process().exitValue()).as(keeld.log()).isZero();
        assertThat(socket).doesNotExist();
        assertThat(pidFile).doesNotExist();
        assertThat(keeld.log()).contains("keeld stopped: shutdown requested");
    }

    @Test
    void shouldJournalItsHostUpAndDownAcrossRestarts() throws Exception {
        for (int run = 0; run < 2; run++) {
            Keeld keeld = launchReady();
            keeld.process().toHandle().destroy();
            assertThat(keeld.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(keeld.process().exitValue()).as(keeld.log()).isZero();
        }
        String engineId = Files.readString(dataRoot.resolve("engine-id")).strip();

        List<Object> events = journaledEvents("Host|" + engineId);

        assertThat(events).map(event -> event.getClass().getSimpleName())
                .containsExactly("Registered", "Up", "Down", "Registered", "Up", "Down");
        assertThat(events.get(2)).isEqualTo(new HostEntity.Down(engineId, "keeld stopped", ((HostEntity.Down) events.get(2)).at()));
    }

    /** Reads one entity's events from the stopped keeld's journal, as a new keeld would replay them. */
    private List<Object> journaledEvents(String persistenceId) throws Exception {
        ActorSystem<Void> reader = ActorSystem.create(Behaviors.empty(), "journal-reader", ConfigFactory
                .parseMap(Map.of("keel.journal.embedded.dir", dataRoot.resolve("journal").toString()))
                .withFallback(ConfigFactory.load()));
        try {
            EmbeddedReadJournal journal = PersistenceQuery.get(reader)
                    .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER);
            return journal.currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
                    .map(EventEnvelope::event)
                    .runWith(Sink.seq(), reader)
                    .toCompletableFuture().get(60, TimeUnit.SECONDS)
                    .stream().map(Object.class::cast).toList();
        } finally {
            reader.terminate();
            reader.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldExitOneWithUsageOnAnUnknownFlag() throws Exception {
        Keeld keeld = launch(pidFile, "--no-such-flag");

        assertThat(keeld.process().waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        keeld.ended().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(keeld.process().exitValue()).isEqualTo(1);
        assertThat(keeld.output()).contains("keeld: unknown flag: --no-such-flag", "See 'keeld --help'.");
    }
}
