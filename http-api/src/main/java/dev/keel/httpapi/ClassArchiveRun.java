package dev.keel.httpapi;

import com.typesafe.config.ConfigFactory;
import dev.keel.actors.network.LocalNetworks;
import dev.keel.httpapi.startup.DaemonFlags;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway keeld on a temp data root that starts, answers one ping over its unix socket and
 * shuts down, so that bin/keeld can run it under {@code -XX:ArchiveClassesAtExit} and archive
 * (AppCDS) the classes a real start loads. Exits 0 only if all of that worked.
 */
public final class ClassArchiveRun {

    private ClassArchiveRun() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("keeld-class-archive");
        // The runtime's attach sockets (<exec-root>/runtime/socks/<id>/attach) must fit in a unix socket path, which
        // a temp directory's long random name leaves no room for.
        Path execRoot = Files.createDirectories(Path.of("/tmp", "kca-" + ProcessHandle.current().pid()));
        int status;
        try {
            status = run(dir, execRoot);
        } finally {
            for (Path root : new Path[] {dir, execRoot}) {
                try (Stream<Path> paths = Files.walk(root)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
        System.exit(status);
    }

    private static int run(Path dir, Path execRoot) throws Exception {
        Path socket = dir.resolve("keel.sock");
        // Network objects of this run's own, so that a keeld running on the host keeps its bridge and rules untouched.
        String tag = Long.toHexString(ProcessHandle.current().pid());
        Map<String, String> network = Map.of(
                "keel.netplane.default-bridge", "kca" + tag,
                "keel.netplane.chain-prefix", "KCA" + tag,
                "keel.netplane.bridge-prefix", "ca",
                "keel.netplane.sandbox-root", execRoot.resolve("netns").toString());
        List<String> arguments = new ArrayList<>(List.of(
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + socket,
                "-D", "keel.daemon.config-file=" + dir.resolve("no-config-file"),
                "-D", "keel.cluster.port=0"));
        network.forEach((key, value) -> arguments.addAll(List.of("-D", key + "=" + value)));
        Daemon daemon = Keeld.prepare(DaemonFlags.parse(arguments.toArray(String[]::new))).start(Clock.systemUTC());
        boolean answered;
        try {
            answered = ping(socket);
        } finally {
            daemon.shutdown();
        }
        int status = daemon.awaitTermination();
        LocalNetworks.removeHostState(ConfigFactory.parseMap(network).withFallback(ConfigFactory.defaultReference()));
        return status == 0 && answered ? 0 : 1;
    }

    private static boolean ping(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: keel\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer response = ByteBuffer.allocate(4096);
            int read;
            do {
                read = channel.read(response);
            } while (read >= 0 && response.hasRemaining());
            return new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 OK");
        }
    }
}
