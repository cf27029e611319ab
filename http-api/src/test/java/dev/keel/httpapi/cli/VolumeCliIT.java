package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.Conditions.eventually;
import static dev.keel.httpapi.cli.TestObjects.name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.pluginhost.PluginProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Volumes through the real docker CLIs (Debian's 20.10 and a current 28.x, each when installed) against a real
 * keeld: named, anonymous and image volumes, binds and tmpfs, copy-up, sharing, {@code --volumes-from}, prune and
 * {@code system df}, a keeld restart, and a volume plugin running as a separate process. One keeld serves the class;
 * every test removes what it made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VolumeCliIT {

    private static final String CGROUP_PARENT = "/keel-volume-cli";
    private static final String PLUGIN = "keeltestvol";

    @AutoClose
    private CliHost host;
    private Path dir;
    private Path pluginSockets;
    private Path seededTar;
    private KeeldProcess keeld;
    private final TestObjects made = new TestObjects();

    @BeforeAll
    void startKeeld() throws Exception {
        host = CliHost.create("v", CGROUP_PARENT);
        dir = host.dir();
        keeld = host.keeld();
        pluginSockets = Files.createDirectory(host.execRoot().resolve("plugins"));
        seededTar = seededImage(dir);
        host.startKeeld("-D", "keel.plugin-host.socket-dirs=[\"" + pluginSockets + "\"]",
                // A plugin that is down is reported after this long instead of Docker's 30 s.
                "-D", "keel.plugin-host.retry-limit=2s");
    }

    /** Busybox with {@code /seed/hello} holding "from the image", for copy-up. */
    private static Path seededImage(Path dir) throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Files.writeString(Files.createDirectories(rootfs.resolve("seed")).resolve("hello"), "from the image\n");
        return BusyboxImage.tar(rootfs, dir.resolve("seeded.tar"));
    }

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        made.removeWith(host.firstCli());
    }

    Stream<DockerCli> clis() {
        return host.clis();
    }

    private String importImage(DockerCli cli, Path tarball, String reference, String... changes) throws Exception {
        made.image(reference);
        List<String> args = new ArrayList<>(List.of("import", "--change", "CMD [\"sh\"]"));
        for (String change : changes) {
            args.addAll(List.of("--change", change));
        }
        args.addAll(List.of(tarball.toString(), reference));
        return cli.ok(args.toArray(String[]::new));
    }

    private String busybox(DockerCli cli) throws Exception {
        String reference = name(cli, "keel-test/vol-bb") + ":1";
        importImage(cli, host.busyboxTar(), reference);
        return reference;
    }

    private String volume(String name) {
        return made.volume(name);
    }

    private String container(String name) {
        return made.container(name);
    }

    private static List<String> volumeNames(DockerCli cli, String... filters) throws Exception {
        List<String> args = new ArrayList<>(List.of("volume", "ls", "-q"));
        for (String filter : filters) {
            args.addAll(List.of("--filter", filter));
        }
        return cli.run(args.toArray(String[]::new)).lines();
    }

    // --- volume verbs ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldCreateListInspectAndRemoveVolumesWithLabelsAndFilters(DockerCli cli) throws Exception {
        String a = volume(name(cli, "vl-a"));
        String b = volume(name(cli, "vl-b"));

        assertThat(cli.ok("volume", "create", "--label", "team=a", a)).isEqualTo(a);
        assertThat(cli.ok("volume", "create", "--label", "team=b", b)).isEqualTo(b);

        assertThat(volumeNames(cli)).contains(a, b);
        assertThat(volumeNames(cli, "label=team=a")).contains(a).doesNotContain(b);
        assertThat(volumeNames(cli, "name=" + b)).containsExactly(b);
        assertThat(volumeNames(cli, "dangling=true")).contains(a, b);
        assertThat(volumeNames(cli, "driver=local", "label=team=b")).containsExactly(b);
        assertThat(cli.ok("volume", "inspect", "--format", "{{.Driver}} {{.Scope}} {{index .Labels \"team\"}}", a))
                .isEqualTo("local local a");
        String mountpoint = cli.ok("volume", "inspect", "--format", "{{.Mountpoint}}", a);
        assertThat(Path.of(mountpoint)).startsWith(keeld.dataRoot()).endsWith(Path.of(a, "_data")).isDirectory();

        assertThat(cli.ok("volume", "rm", a)).isEqualTo(a);
        assertThat(volumeNames(cli)).doesNotContain(a).contains(b);
        DockerCli.Result missing = cli.run("volume", "inspect", a);
        assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
        assertThat(missing.err()).containsIgnoringCase("no such volume");
        assertThat(cli.run("volume", "rm", "-f", a).exitCode()).isZero();
        DockerCli.Result invalid = cli.run("volume", "create", "bad/name");
        assertThat(invalid.exitCode()).isNotZero();
        assertThat(invalid.err()).contains("includes invalid characters for a local volume name");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldKeepANamedVolumesDataAfterItsContainerIsRemoved(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String data = volume(name(cli, "vl-keep"));

        cli.ok("run", "--rm", "-v", data + ":/data", image, "sh", "-c", "echo kept > /data/file");

        assertThat(volumeNames(cli)).contains(data);
        assertThat(cli.ok("run", "--rm", "-v", data + ":/data", image, "cat", "/data/file")).isEqualTo("kept");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldEnforceReadOnlyVolumes(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String data = volume(name(cli, "vl-ro"));
        cli.ok("volume", "create", data);

        DockerCli.Result byFlag = cli.run("run", "--rm", "-v", data + ":/data:ro", image, "sh", "-c",
                "echo no > /data/file");
        DockerCli.Result byMount = cli.run("run", "--rm", "--mount",
                "type=volume,src=" + data + ",dst=/data,readonly", image, "sh", "-c", "echo no > /data/file");

        assertThat(byFlag.exitCode()).as(byFlag.toString()).isNotZero();
        assertThat(byFlag.out() + byFlag.err()).contains("Read-only file system");
        assertThat(byMount.exitCode()).as(byMount.toString()).isNotZero();
        assertThat(byMount.out() + byMount.err()).contains("Read-only file system");
        assertThat(cli.ok("run", "--rm", "-v", data + ":/data", image, "ls", "/data")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldShareAVolumeBetweenTwoRunningContainersAndRefuseToRemoveIt(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String shared = volume(name(cli, "vl-shared"));
        String writer = container(name(cli, "vl-writer"));
        String reader = container(name(cli, "vl-reader"));

        String readerId = cli.ok("run", "-d", "--name", reader, "-v", shared + ":/in", image, "sleep", "1000");
        String writerId = cli.ok("run", "-d", "--name", writer, "-v", shared + ":/out", image, "sh", "-c",
                "echo shared > /out/file; sleep 1000");

        eventually("the reader sees the writer's file", () -> cli.run("exec", reader, "cat", "/in/file").out().strip()
                .equals("shared"));
        assertThat(cli.ok("inspect", "--format", "{{.State.Running}}", writer)).isEqualTo("true");
        DockerCli.Result inUse = cli.run("volume", "rm", shared);
        assertThat(inUse.exitCode()).as(inUse.toString()).isNotZero();
        assertThat(inUse.err()).contains("Error response from daemon: remove " + shared + ": volume is in use - ["
                + readerId + ", " + writerId + "]");
        assertThat(volumeNames(cli)).contains(shared);
    }

    // --- anonymous and image volumes ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRemoveAnAnonymousVolumeWithRmV(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String holder = container(name(cli, "vl-anon"));

        cli.ok("run", "-d", "--name", holder, "-v", "/scratch", image, "sleep", "1000");
        String anonymous = cli.ok("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", holder);

        assertThat(anonymous).matches("[0-9a-f]{64}");
        assertThat(volumeNames(cli)).contains(anonymous);
        assertThat(cli.ok("inspect", "--format", "{{range .Mounts}}{{.Destination}} {{.Driver}}{{end}}", holder))
                .isEqualTo("/scratch local");
        cli.ok("rm", "-f", "-v", holder);
        assertThat(volumeNames(cli)).doesNotContain(anonymous);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRemoveAnAnonymousVolumeOfAnAutoRemovedContainer(DockerCli cli) throws Exception {
        String image = busybox(cli);
        List<String> before = volumeNames(cli);

        cli.ok("run", "--rm", "-v", "/scratch", image, "sh", "-c", "echo gone > /scratch/file");

        eventually("the --rm container's anonymous volume is removed",
                () -> volumeNames(cli).equals(before));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldGiveAnImagesVolumesAnAnonymousVolumeEach(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/vol-image") + ":1";
        importImage(cli, host.busyboxTar(), image, "VOLUME /data");
        String holder = container(name(cli, "vl-imgvol"));

        cli.ok("create", "--name", holder, image, "sleep", "1000");
        String mount = cli.ok("inspect", "--format",
                "{{range .Mounts}}{{.Type}} {{.Destination}} {{.Name}}{{end}}", holder);

        assertThat(mount).startsWith("volume /data ");
        String anonymous = mount.substring("volume /data ".length());
        assertThat(volumeNames(cli)).contains(anonymous);
        cli.ok("rm", "-v", holder);
        assertThat(volumeNames(cli)).doesNotContain(anonymous);
    }

    @Test
    void shouldCopyAnImagesContentIntoANewVolumeButNotIntoANonEmptyOne() throws Exception {
        DockerCli cli = host.firstCli();
        String image = name(cli, "keel-test/vol-seeded") + ":1";
        importImage(cli, seededTar, image);
        String fresh = volume(name(cli, "vl-copyup"));
        String filled = volume(name(cli, "vl-filled"));

        assertThat(cli.ok("run", "--rm", "-v", fresh + ":/seed", image, "cat", "/seed/hello"))
                .isEqualTo("from the image");
        cli.ok("run", "--rm", "-v", fresh + ":/seed", image, "sh", "-c", "echo changed > /seed/hello");
        assertThat(cli.ok("run", "--rm", "-v", fresh + ":/seed", image, "cat", "/seed/hello")).isEqualTo("changed");

        cli.ok("run", "--rm", "-v", filled + ":/elsewhere", image, "sh", "-c", "echo mine > /elsewhere/own");
        assertThat(cli.ok("run", "--rm", "-v", filled + ":/seed", image, "ls", "/seed")).isEqualTo("own");
    }

    // --- other mounts ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldMountTheVolumesOfAnotherContainerWithVolumesFrom(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String data = volume(name(cli, "vl-from"));
        String source = container(name(cli, "vl-source"));
        cli.ok("run", "--rm", "-v", data + ":/data", image, "sh", "-c", "echo inherited > /data/file");
        cli.ok("run", "-d", "--name", source, "-v", data + ":/data", image, "sleep", "1000");

        assertThat(cli.ok("run", "--rm", "--volumes-from", source, image, "cat", "/data/file")).isEqualTo("inherited");
        DockerCli.Result readOnly = cli.run("run", "--rm", "--volumes-from", source + ":ro", image, "sh", "-c",
                "echo no > /data/file");
        assertThat(readOnly.exitCode()).as(readOnly.toString()).isNotZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldMountBindsTmpfsAndVolumesWithMountAndShowThemInInspect(DockerCli cli) throws Exception {
        String image = busybox(cli);
        Path host = Files.createDirectories(dir.resolve(name(cli, "bind")));
        Files.writeString(host.resolve("file"), "from the host\n");
        String data = volume(name(cli, "vl-mount"));
        String holder = container(name(cli, "vl-mounts"));

        cli.ok("run", "-d", "--name", holder,
                "--mount", "type=bind,src=" + host + ",dst=/host",
                "--mount", "type=tmpfs,dst=/fast",
                "--mount", "type=volume,src=" + data + ",dst=/data",
                image, "sleep", "1000");

        assertThat(cli.ok("exec", holder, "cat", "/host/file")).isEqualTo("from the host");
        assertThat(cli.ok("exec", holder, "cat", "/proc/mounts").lines()).anyMatch(line -> line.contains(" /fast tmpfs "));
        String mountpoint = cli.ok("volume", "inspect", "--format", "{{.Mountpoint}}", data);
        assertThat(cli.ok("inspect", "--format",
                "{{range .Mounts}}{{if eq .Type \"volume\"}}{{.Source}} {{.Driver}}{{end}}{{end}}", holder))
                .isEqualTo(mountpoint + " local");
        assertThat(cli.ok("inspect", "--format", "{{range .HostConfig.Mounts}}{{.Type}}:{{.Target}} {{end}}", holder))
                .contains("bind:/host", "volume:/data");
        assertThat(cli.ok("inspect", "--format", "{{json .HostConfig.Tmpfs}}", holder)).contains("\"/fast\"");
    }

    // --- disk usage and prune -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldReportVolumesInSystemDfAndPruneTheUnusedOnes(DockerCli cli) throws Exception {
        String image = busybox(cli);
        String unused = volume(name(cli, "vl-prune"));
        String used = volume(name(cli, "vl-inuse"));
        String kept = volume(name(cli, "vl-labelled"));
        String holder = container(name(cli, "vl-user"));
        cli.ok("volume", "create", "--label", "keep=yes", kept);
        cli.ok("run", "--rm", "-v", unused + ":/data", image, "sh", "-c",
                "i=0; while [ $i -lt 64 ]; do echo 0123456789abcdef0123456789abcdef >> /data/file; i=$((i+1)); done");
        cli.ok("run", "-d", "--name", holder, "-v", used + ":/data", image, "sleep", "1000");

        String volumesRow = cli.ok("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}")
                .lines().filter(line -> line.startsWith("Local Volumes")).findFirst().orElseThrow();
        String[] row = volumesRow.split("\\|");
        assertThat(Integer.parseInt(row[1])).isGreaterThanOrEqualTo(3);
        assertThat(Integer.parseInt(row[2])).isGreaterThanOrEqualTo(1);
        assertThat(row[3]).isNotEqualTo("0B");
        assertThat(cli.ok("system", "df", "-v")).contains(unused, used, kept);

        String pruned = cli.ok("volume", "prune", "-f", "--filter", "label!=keep");

        assertThat(pruned).contains(unused).doesNotContain(used).doesNotContain(kept);
        assertThat(pruned).containsPattern("Total reclaimed space: [1-9][0-9.]*k?B");
        assertThat(volumeNames(cli)).doesNotContain(unused).contains(used, kept);
    }

    // --- restart --------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepAVolumeAndItsDataAcrossAKeeldRestart() throws Exception {
        DockerCli cli = host.firstCli();
        String image = busybox(cli);
        String data = volume(name(cli, "vl-restart"));
        cli.ok("volume", "create", "--label", "survives=restart", data);
        cli.ok("run", "--rm", "-v", data + ":/data", image, "sh", "-c", "echo durable > /data/file");

        assertThat(keeld.stop()).as(keeld.log()).isTrue();
        keeld.start();

        assertThat(volumeNames(cli, "label=survives=restart")).containsExactly(data);
        assertThat(cli.ok("run", "--rm", "-v", data + ":/data", image, "cat", "/data/file")).isEqualTo("durable");
    }

    // --- a volume plugin ------------------------------------------------------------------------------------------

    @Test
    void shouldServeAPluginVolumeToTwoContainersAndRecoverFromThePluginBeingDown() throws Exception {
        DockerCli cli = host.firstCli();
        String image = busybox(cli);
        Path state = Files.createDirectories(dir.resolve("plugin-state"));
        String data = volume("vl-plugin");
        String later = container("vl-plugin-later");
        PluginProcess plugin = PluginProcess.start(PluginProcess.Kind.VOLUME, pluginSockets.resolve(PLUGIN + ".sock"),
                "--state", state.toString());
        try {
            assertThat(cli.ok("volume", "create", "-d", PLUGIN, data)).isEqualTo(data);
            assertThat(cli.ok("volume", "ls", "--filter", "driver=" + PLUGIN, "--format", "{{.Driver}} {{.Name}}"))
                    .isEqualTo(PLUGIN + " " + data);

            cli.ok("run", "--rm", "-v", data + ":/data", image, "sh", "-c", "echo through the plugin > /data/file");
            assertThat(cli.ok("run", "--rm", "-v", data + ":/data", image, "cat", "/data/file"))
                    .isEqualTo("through the plugin");
            assertThat(state.resolve("data").resolve(data).resolve("file")).hasContent("through the plugin");
            assertThat(plugin.requests("VolumeDriver.Mount")).hasSizeGreaterThanOrEqualTo(2);
            cli.ok("create", "--name", later, "-v", data + ":/data", image, "cat", "/data/file");

            plugin.close();
            List<String> before = volumeNames(cli);
            DockerCli.Result refused = cli.run("volume", "create", "-d", PLUGIN, "vl-plugin-down");
            assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
            assertThat(refused.err()).contains(PLUGIN);
            assertThat(volumeNames(cli)).isEqualTo(before).doesNotContain("vl-plugin-down");
            DockerCli.Result failedStart = cli.run("start", later);
            assertThat(failedStart.exitCode()).as(failedStart.toString()).isNotZero();

            plugin = plugin.restart();
            cli.ok("start", later);
            eventually("the retried container ran", () -> cli.ok("inspect", "--format", "{{.State.Status}}", later)
                    .equals("exited"));
            assertThat(cli.ok("logs", later)).isEqualTo("through the plugin");
            assertThat(cli.ok("inspect", "--format", "{{range .Mounts}}{{.Driver}}{{end}}", later)).isEqualTo(PLUGIN);
            cli.ok("rm", later);
            assertThat(cli.ok("volume", "rm", data)).isEqualTo(data);
        } finally {
            plugin.close();
        }
    }
}
