package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.TestObjects.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.pluginhost.PluginProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real docker CLIs against a keeld started with {@code --authorization-plugin} naming the python authorization
 * plugin (which refuses removing containers) and finding the python network plugin, both real processes on unix
 * sockets. Containers cannot be removed through the API while the plugin is on: the class ends by restarting keeld
 * without it to clean up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginCliIT {

    private static final String CGROUP_PARENT = "/keel-plugin-cli";
    private static final String AUTHZ = "keeltestauthz";
    private static final String NETWORK_DRIVER = "keeltestnet";
    private static final String AUTHORIZE = "--authorization-plugin=" + AUTHZ;
    private static final String IMAGE = "keel-plugin-busybox";
    private static final String DENIED = "authorization denied by plugin " + AUTHZ + ": removing containers is not allowed";

    private CliHost host;
    private Path pluginSockets;
    private PluginProcess authz;
    private PluginProcess network;
    private KeeldProcess keeld;

    @BeforeAll
    void startPluginsAndKeeld() throws Exception {
        host = CliHost.create("p", CGROUP_PARENT);
        keeld = host.keeld();
        pluginSockets = Files.createDirectory(host.execRoot().resolve("plugins"));
        authz = PluginProcess.start(PluginProcess.Kind.AUTHZ, pluginSockets.resolve(AUTHZ + ".sock"));
        // Interface names of this suite's own (kzh…, kzc…), apart from other suites' plugins.
        network = PluginProcess.start(PluginProcess.Kind.NETWORK, pluginSockets.resolve(NETWORK_DRIVER + ".sock"),
                "--prefix", "kz");
        host.startKeeld(AUTHORIZE, "-D", "keel.plugin-host.socket-dirs=[\"" + pluginSockets + "\"]",
                // A plugin that is down is reported after this long instead of Docker's 30 s.
                "-D", "keel.plugin-host.retry-limit=2s", "-D", "keel.plugin-host.retry-initial-delay=200ms");
        anyCli().ok("import", "--change", "CMD [\"sh\"]", host.busyboxTar().toString(), IMAGE);
    }

    @AfterAll
    void removeEverythingAndStop() throws Exception {
        if (host == null) {
            return;
        }
        try {
            if (keeld.isAlive()) {
                keeld.stop();
                keeld.removeFlags(AUTHORIZE);
                keeld.start();
                host.removeEveryContainer();
                anyCli().run("network", "rm", "plugnet");
            }
        } finally {
            host.close(() -> {
                for (PluginProcess plugin : new PluginProcess[] {authz, network}) {
                    if (plugin != null) {
                        plugin.close();
                    }
                }
            });
        }
    }

    Stream<DockerCli> clis() {
        return host.clis();
    }

    private DockerCli anyCli() {
        return host.firstCli();
    }

    @ParameterizedTest
    @MethodSource("clis")
    void shouldRunListAndInspectButNotRemoveAContainer(DockerCli cli) throws Exception {
        String name = name(cli, "guarded");

        String id = cli.ok("run", "-d", "--name", name, IMAGE, "sleep", "300");
        List<String> listed = cli.ok("ps", "--format", "{{.Names}}").lines().toList();
        String running = cli.ok("inspect", "--format", "{{.State.Running}}", name);
        DockerCli.Result removal = cli.run("rm", "-f", name);

        assertThat(listed).contains(name);
        assertThat(running).isEqualTo("true");
        assertThat(removal.ok()).as(removal.toString()).isFalse();
        assertThat(removal.err()).contains(DENIED);
        assertThat(cli.ok("inspect", "--format", "{{.Id}} {{.State.Running}}", name)).isEqualTo(id + " true");
        assertThat(authz.requests("AuthZPlugin.AuthZReq")).anySatisfy(request -> {
            assertThat(request.path("body").path("RequestMethod").asText()).isEqualTo("DELETE");
            assertThat(request.path("body").path("RequestUri").asText()).matches("/v[0-9.]+/containers/" + name + "\\?.*");
        });
    }

    @Test
    void shouldShowTheCreateBodyAndTheBufferedAnswerToThePlugin() throws Exception {
        DockerCli cli = anyCli();
        String name = "shown";

        String id = cli.ok("create", "--name", name, "--label", "shown-to=plugin", IMAGE, "true");

        List<JsonNode> creates = authz.requests("AuthZPlugin.AuthZRes").stream()
                .filter(request -> request.path("body").path("RequestUri").asText().contains("/containers/create?name=" + name))
                .toList();
        assertThat(creates).singleElement().satisfies(request -> {
            JsonNode body = request.path("body");
            assertThat(body.path("RequestMethod").asText()).isEqualTo("POST");
            assertThat(new String(body.path("RequestBody").binaryValue())).contains("\"shown-to\":\"plugin\"");
            assertThat(body.path("RequestHeaders").path("Content-Type").asText()).isEqualTo("application/json");
            assertThat(body.path("ResponseStatusCode").asInt()).isEqualTo(201);
            assertThat(new String(body.path("ResponseBody").binaryValue())).contains(id);
        });
    }

    @Test
    void shouldFailClosedWhileTheAuthorizationPluginIsDownAndRecoverWhenItIsBack() throws Exception {
        DockerCli cli = anyCli();
        DockerCli.Result listing;
        DockerCli.Result creation;
        authz.close();
        try {
            listing = cli.run("ps");
            creation = cli.run("create", "--name", "while-down", IMAGE, "true");
        } finally {
            authz = authz.restart();
        }

        assertThat(listing.ok()).as(listing.toString()).isFalse();
        assertThat(listing.err()).contains("plugin " + AUTHZ + " failed with error:");
        assertThat(creation.ok()).as(creation.toString()).isFalse();
        assertThat(creation.err()).contains("plugin " + AUTHZ + " failed with error:");
        assertThat(cli.ok("ps", "-a", "--format", "{{.Names}}").lines()).doesNotContain("while-down");
    }

    @Test
    void shouldRunAContainerOnANetworkOfAPluginDriver() throws Exception {
        DockerCli cli = anyCli();

        cli.ok("network", "create", "-d", NETWORK_DRIVER, "plugnet");
        cli.ok("run", "-d", "--name", "on-plugnet", "--network", "plugnet", IMAGE, "sleep", "300");
        String driver = cli.ok("network", "inspect", "--format", "{{.Driver}}", "plugnet");
        String address = cli.ok("inspect", "--format", "{{(index .NetworkSettings.Networks \"plugnet\").IPAddress}}",
                "on-plugnet");
        String interfaces = cli.ok("exec", "on-plugnet", "cat", "/proc/net/dev");
        String addresses = cli.ok("exec", "on-plugnet", "cat", "/proc/net/fib_trie");

        assertThat(driver).isEqualTo(NETWORK_DRIVER);
        assertThat(address).matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");
        assertThat(interfaces).contains("eth0:");
        assertThat(addresses).contains(address);
        assertThat(network.requests("NetworkDriver.CreateNetwork")).isNotEmpty();
        assertThat(network.requests("NetworkDriver.CreateEndpoint")).isNotEmpty();
        assertThat(network.requests("NetworkDriver.Join")).singleElement()
                .satisfies(join -> assertThat(join.path("body").path("SandboxKey").asText()).isNotEmpty());
    }

    @Test
    void shouldNotStartWhenAnAuthorizationPluginCannotBeFound() throws Exception {
        KeeldProcess refused = new KeeldProcess(Files.createDirectory(host.dir().resolve("refused")),
                Files.createDirectory(host.execRoot().resolve("r")), CGROUP_PARENT);
        refused.addFlags("--authorization-plugin=absent", "-D", "keel.plugin-host.socket-dirs=[\"" + pluginSockets + "\"]",
                "-D", "keel.plugin-host.retry-limit=1s", "-D", "keel.plugin-host.retry-initial-delay=200ms");
        try {
            assertThatThrownBy(refused::start).hasMessageContaining("authorization plugin absent cannot be used")
                    .hasMessageContaining("plugin \"absent\" not found");
        } finally {
            refused.kill();
            refused.removeNetworkLeftovers();
        }
    }
}
