package dev.keel.httpapi.bench;

import dev.keel.netplane.IsolatedNetplane;
import dev.keel.os.runtime.BusyboxRootfs;
import dev.keel.os.runtime.bench.HostLeftovers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bin/keeld for the network bench and its test: a temp data root, a short exec root ({@code /tmp/kn<pid>}), a cgroup
 * parent and an {@link IsolatedNetplane} of its own (default bridge, user bridges' prefix, iptables chains, sandbox
 * root under the exec root), a unix socket and a loopback TCP port, and a busybox image ({@link #IMAGE}) imported.
 * Closing it removes its containers, stops it with SIGTERM, then removes whatever it and its containers left
 * (processes, mounts, cgroups, directories, bridges, veths, chains, namespaces); a shutdown hook does the same when the
 * JVM is stopped before.
 */
final class IsolatedKeeld implements AutoCloseable {

    static final String IMAGE = "keel-bench/busybox:net";

    private final IsolatedNetplane netplane;
    private final HostLeftovers leftovers;
    private final Thread atShutdown;
    private DaemonProcess daemon;
    private EngineApiClient engine;

    private IsolatedKeeld(IsolatedNetplane netplane, HostLeftovers leftovers) {
        this.netplane = netplane;
        this.leftovers = leftovers;
        this.atShutdown = new Thread(this::removeLeftovers, "net-bench-leftovers");
        Runtime.getRuntime().addShutdownHook(atShutdown);
    }

    static IsolatedKeeld start(Path launcher) throws Exception {
        long pid = ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("keel-bench-net-");
        // Short: the monitors' attach sockets live under the exec root and must fit a unix socket path.
        Path execRoot = Files.createDirectory(Path.of("/tmp", "kn" + pid));
        String cgroupParent = "/keel-bench-net-" + pid;
        IsolatedNetplane netplane = IsolatedNetplane.random(execRoot.resolve("netns"));
        IsolatedKeeld keeld = new IsolatedKeeld(netplane,
                new HostLeftovers(List.of(dir, execRoot), List.of(cgroupParent)));
        try {
            URI tcp = loopback();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> command = new ArrayList<>(List.of(launcher.toString(),
                    "--data-root", dir.resolve("data").toString(),
                    "--exec-root", execRoot.toString(),
                    "--pidfile", dir.resolve("keeld.pid").toString(),
                    "-H", "unix://" + dir.resolve("keel.sock"), "-H", "tcp://" + tcp.getAuthority()));
            command.addAll(netplane.daemonFlags());
            keeld.daemon = DaemonProcess.start("keeld", command, Map.of("KEELD_JAVA_OPTS",
                    System.getenv().getOrDefault("KEELD_JAVA_OPTS", "")
                            + " -Dkeel.native.runtime.cgroup-parent=" + cgroupParent), tcp, http);
            keeld.engine = new EngineApiClient(tcp, http);
            int colon = IMAGE.indexOf(':');
            keeld.engine.importImage(busyboxTarball(dir), IMAGE.substring(0, colon), IMAGE.substring(colon + 1));
            return keeld;
        } catch (Exception e) {
            String log = keeld.daemon == null ? "" : "; keeld's last output:\n" + keeld.daemon.log();
            keeld.close();
            throw new IllegalStateException("keeld for the network bench did not start" + log, e);
        }
    }

    EngineApiClient engine() {
        return engine;
    }

    IsolatedNetplane netplane() {
        return netplane;
    }

    String log() {
        return daemon.log();
    }

    @Override
    public void close() throws InterruptedException {
        if (daemon != null) {
            try {
                for (String id : engine.containerIds()) {
                    engine.removeContainer(id);
                }
            } catch (IOException | IllegalStateException e) {
                System.err.println("net bench: could not remove keeld's containers through the API: " + e);
            }
            daemon.stop();
        }
        removeLeftovers();
        HostLeftovers.withdraw(atShutdown);
    }

    /** Processes and mounts first: a namespace file is removable only once unmounted, a bridge once its veths went. */
    private void removeLeftovers() {
        try {
            leftovers.remove();
        } catch (IOException | InterruptedException e) {
            System.err.println("net bench: could not remove everything it made: " + e);
        }
        netplane.remove();
    }

    private static byte[] busyboxTarball(Path dir) throws IOException, InterruptedException {
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
        Path tar = dir.resolve("busybox.tar");
        Process process = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("tar of " + rootfs + " failed: " + output);
        }
        return Files.readAllBytes(tar);
    }

    /** A free loopback port, as keeld's TCP endpoint. */
    private static URI loopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
