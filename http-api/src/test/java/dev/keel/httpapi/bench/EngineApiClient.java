package dev.keel.httpapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The Engine API calls of the network bench, over keeld's loopback TCP endpoint with HTTP/1.1 (kept-alive connections,
 * as the docker CLI uses one). Every call checks Docker's status for success and fails with the answer otherwise.
 */
final class EngineApiClient {

    private static final String API = "/v1.41";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI engine;
    private final HttpClient http;

    EngineApiClient(URI engine, HttpClient http) {
        this.engine = engine;
        this.http = http;
    }

    /** {@code POST /images/create?fromSrc=-}: the tarball as an image named {@code repository:tag}. */
    void importImage(byte[] tarball, String repository, String tag) throws IOException, InterruptedException {
        HttpResponse<String> reply = send(HttpRequest.newBuilder(uri("/images/create?fromSrc=-&repo=" + repository
                + "&tag=" + tag)).header("Content-Type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofByteArray(tarball)), 200, "import");
        check(!reply.body().contains("\"error"), "import failed: " + reply.body());
    }

    /**
     * A container of {@code image} running {@code command}, with {@code networkMode} as the CLI sends it for
     * {@code --network}: "default" for the default bridge, "none", or a network's name, then also named in
     * NetworkingConfig.
     */
    String createContainer(String image, List<String> command, String networkMode)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("Image", image);
        command.forEach(body.putArray("Cmd")::add);
        body.putObject("HostConfig").put("NetworkMode", networkMode);
        if (!List.of("default", "bridge", "none", "host").contains(networkMode)) {
            body.putObject("NetworkingConfig").putObject("EndpointsConfig").putObject(networkMode);
        }
        return JSON.readTree(post("/containers/create", body, 201, "create").body()).path("Id").asText();
    }

    void start(String containerId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/containers/" + containerId + "/start"))
                .POST(HttpRequest.BodyPublishers.noBody()), 204, "start " + containerId);
    }

    void removeContainer(String containerId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/containers/" + containerId + "?force=1")).DELETE(), 204,
                "remove " + containerId);
    }

    /** The ids of every container, running or not. */
    List<String> containerIds() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode container : JSON.readTree(send(HttpRequest.newBuilder(uri("/containers/json?all=1")).GET(),
                200, "list").body())) {
            ids.add(container.path("Id").asText());
        }
        return ids;
    }

    String createNetwork(String name) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("Name", name).put("CheckDuplicate", true);
        return JSON.readTree(post("/networks/create", body, 201, "network create " + name).body()).path("Id").asText();
    }

    void connect(String networkId, String containerId) throws IOException, InterruptedException {
        post("/networks/" + networkId + "/connect", JSON.createObjectNode().put("Container", containerId), 200,
                "network connect " + networkId + " " + containerId);
    }

    void disconnect(String networkId, String containerId) throws IOException, InterruptedException {
        post("/networks/" + networkId + "/disconnect", JSON.createObjectNode().put("Container", containerId)
                .put("Force", false), 200, "network disconnect " + networkId + " " + containerId);
    }

    void removeNetwork(String networkId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/networks/" + networkId)).DELETE(), 204, "network rm " + networkId);
    }

    /** The names of every network. */
    List<String> networkNames() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (JsonNode network : JSON.readTree(send(HttpRequest.newBuilder(uri("/networks")).GET(), 200,
                "network ls").body())) {
            names.add(network.path("Name").asText());
        }
        return names;
    }

    private HttpResponse<String> post(String path, ObjectNode body, int expected, String what)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), expected, what);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, int expected, String what)
            throws IOException, InterruptedException {
        HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        check(reply.statusCode() == expected, what + ": HTTP " + reply.statusCode() + " " + reply.body());
        return reply;
    }

    private URI uri(String path) {
        return engine.resolve(API + path);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
