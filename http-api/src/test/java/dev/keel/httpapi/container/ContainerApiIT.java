package dev.keel.httpapi.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.httpapi.cli.HostFootprint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.keel.netplane.IsolatedNetplane;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container endpoints on the wire, against a real keeld (bin/keeld, real runc and keel-monitor) on a temp data root:
 * Docker's status codes and error bodies for what a client gets wrong, the wait that answers its headers at once,
 * the log framing. Every test removes the containers it made.
 */
class ContainerApiIT {

    private static final String CGROUP_PARENT = "/keel-api-it-" + ProcessHandle.current().pid();
    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));
    private static final long START_TIMEOUT_SECONDS = 90;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Path execRoot;
    private static IsolatedNetplane netplane;
    private static Process keeld;
    private static final List<String> keeldOutput = new CopyOnWriteArrayList<>();
    private static String base;
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startKeeldWithAnImage() throws Exception {
        dir = Files.createTempDirectory("container-api-it");
        // Short (createTempDirectory's names are too long): container sockets under it must fit a unix socket path.
        execRoot = Files.createDirectories(Path.of("/tmp", "kc" + ProcessHandle.current().pid()));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        base = "http://127.0.0.1:" + port + "/v1.41";
        netplane = IsolatedNetplane.random(execRoot.resolve("netns"));
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + dir.resolve("keel.sock"),
                "-H", "tcp://127.0.0.1:" + port));
        command.addAll(netplane.daemonFlags());
        // A cgroup parent of its own: apart from a keeld running on the host, and removed at the end.
        command.addAll(List.of("-D", "keel.native.runtime.cgroup-parent=" + CGROUP_PARENT));
        keeld = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(keeld.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    keeldOutput.add(line);
                    if (line.contains("keeld ready: ")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready"));
        }, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("keeld did not start:\n" + String.join("\n", keeldOutput), e);
        }
        HttpResponse<String> imported = post("/images/create?fromSrc=-&repo=busybox&tag=latest",
                HttpRequest.BodyPublishers.ofByteArray(busyboxRootfs()));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (JsonNode c : json(get("/containers/json?all=1"))) {
            delete("/containers/" + c.get("Id").asText() + "?force=1");
        }
    }

    @AfterAll
    static void stopKeeld() throws Exception {
        if (keeld != null) {
            keeld.toHandle().destroy();
            if (!keeld.waitFor(60, TimeUnit.SECONDS)) {
                keeld.descendants().forEach(ProcessHandle::destroyForcibly);
                keeld.destroyForcibly().waitFor();
            }
            netplane.remove();
        }
        HostFootprint.removeCgroups(CGROUP_PARENT);
        for (Path root : new Path[] {dir, execRoot}) {
            if (root != null) {
                try (Stream<Path> paths = Files.walk(root)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void shouldRefuseMalformedJsonAndCreateNothing() throws Exception {
        HttpResponse<String> response = postJson("/containers/create", "{\"Image\":");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(json(response).get("message").asText()).startsWith("invalid JSON");
        assertThat(json(get("/containers/json?all=1"))).isEmpty();
    }

    @Test
    void shouldRefuseAFieldOfTheWrongTypeNamingIt() throws Exception {
        HttpResponse<String> response = postJson("/containers/create",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"lots\"}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).contains("HostConfig.Memory");
        assertThat(json(get("/containers/json?all=1"))).isEmpty();
    }

    @Test
    void shouldRefuseAnOversizedBody() throws Exception {
        String huge = "{\"Image\":\"busybox\",\"Labels\":{\"x\":\"" + "a".repeat(5 * 1024 * 1024) + "\"}}";

        HttpResponse<String> response = postJson("/containers/create", huge);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).contains("limit");
        assertThat(json(get("/containers/json?all=1"))).isEmpty();
    }

    @Test
    void shouldRefuseABadNameAndAnUnknownFilter() throws Exception {
        HttpResponse<String> badName = postJson("/containers/create?name=no%20spaces", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
        HttpResponse<String> badFilter = get("/containers/json?filters=%7B%22color%22%3A%5B%22red%22%5D%7D");

        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName).get("message").asText()).contains("Invalid container name");
        assertThat(badFilter.statusCode()).isEqualTo(400);
        assertThat(json(badFilter).get("message").asText()).isEqualTo("invalid filter 'color'");
    }

    @Test
    void shouldAnswerNoSuchContainerWith404() throws Exception {
        HttpResponse<String> response = get("/containers/nosuch/json");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("message").asText()).isEqualTo("No such container: nosuch");
    }

    @Test
    void shouldAnswer304ToAStartOfARunningContainerAndAStopOfAStoppedOne() throws Exception {
        String id = run("sleep", "60");

        assertThat(post("/containers/" + id + "/start", HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(304);
        assertThat(post("/containers/" + id + "/stop?t=0", HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(204);
        assertThat(post("/containers/" + id + "/stop?t=0", HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(304);
        assertThat(json(get("/containers/" + id + "/json")).at("/State/Status").asText()).isEqualTo("exited");
    }

    @Test
    void shouldSendTheWaitHeadersBeforeTheContainerExits() throws Exception {
        String id = run("sleep", "5");

        HttpResponse<InputStream> wait = http.send(HttpRequest.newBuilder(URI.create(base + "/containers/" + id + "/wait"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
        boolean runningWhenAnswered = json(get("/containers/" + id + "/json")).at("/State/Running").asBoolean();
        JsonNode result;
        try (InputStream body = wait.body()) {
            result = JSON.readTree(body);
        }

        assertThat(wait.statusCode()).isEqualTo(200);
        assertThat(runningWhenAnswered).isTrue();
        assertThat(result.get("StatusCode").asLong()).isZero();
        assertThat(result.get("Error").isNull()).isTrue();
    }

    @Test
    void shouldFrameLogsOfAContainerWithoutTty() throws Exception {
        String id = run("sh", "-c", "echo out; echo err >&2");
        awaitExit(id);

        HttpResponse<byte[]> logs = http.send(HttpRequest.newBuilder(
                URI.create(base + "/containers/" + id + "/logs?stdout=1&stderr=1")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(logs.statusCode()).isEqualTo(200);
        List<String> frames = new ArrayList<>();
        ByteBuffer body = ByteBuffer.wrap(logs.body());
        while (body.remaining() >= 8) {
            int stream = body.get();
            body.position(body.position() + 3);
            byte[] payload = new byte[body.getInt()];
            body.get(payload);
            frames.add(stream + ":" + new String(payload, StandardCharsets.UTF_8));
        }
        assertThat(frames).containsExactlyInAnyOrder("1:out\n", "2:err\n");
    }

    @Test
    void shouldRefuseLogsWithoutAStream() throws Exception {
        String id = run("true");

        HttpResponse<String> response = get("/containers/" + id + "/logs");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).isEqualTo("You must choose at least one stream");
    }

    @Test
    void shouldPruneStoppedContainersOnly() throws Exception {
        String running = run("sleep", "60");
        String exited = run("true");
        awaitExit(exited);

        HttpResponse<String> pruned = post("/containers/prune", HttpRequest.BodyPublishers.noBody());

        assertThat(pruned.statusCode()).isEqualTo(200);
        List<String> deleted = new ArrayList<>();
        json(pruned).get("ContainersDeleted").forEach(id -> deleted.add(id.asText()));
        assertThat(deleted).containsExactly(exited);
        assertThat(json(get("/containers/json?all=1"))).extracting(c -> c.get("Id").asText()).containsExactly(running);
    }

    /** Creates and starts a container of busybox running {@code cmd}; its id. */
    private static String run(String... cmd) throws Exception {
        HttpResponse<String> created = postJson("/containers/create",
                JSON.createObjectNode().put("Image", "busybox").set("Cmd", JSON.valueToTree(cmd)).toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("Id").asText();
        HttpResponse<String> started = post("/containers/" + id + "/start", HttpRequest.BodyPublishers.noBody());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(204);
        return id;
    }

    private static void awaitExit(String id) throws Exception {
        HttpResponse<String> wait = post("/containers/" + id + "/wait", HttpRequest.BodyPublishers.noBody());
        assertThat(wait.statusCode()).as(wait.body()).isEqualTo(200);
    }

    /** A root filesystem tarball of the host's static busybox, with sh and the applets the tests use. */
    private static byte[] busyboxRootfs() throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "sleep", "true")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("rootfs.tar");
        Process process = new ProcessBuilder("tar", "-C", rootfs.getParent().toString(), "-cf", tar.toString(), ".")
                .inheritIO().start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        return Files.readAllBytes(tar);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postJson(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }
}
