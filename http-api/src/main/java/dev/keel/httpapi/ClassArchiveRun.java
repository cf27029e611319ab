package dev.keel.httpapi;

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
import java.util.Comparator;
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
        DaemonFlags flags = DaemonFlags.parse(
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + socket,
                "-D", "keel.daemon.config-file=" + dir.resolve("no-config-file"),
                "-D", "keel.cluster.port=0");
        Daemon daemon = Keeld.prepare(flags).start(Clock.systemUTC());
        boolean answered;
        try {
            answered = ping(socket);
        } finally {
            daemon.shutdown();
        }
        return daemon.awaitTermination() == 0 && answered ? 0 : 1;
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
