package dev.keel.httpapi.event.bench;

import com.typesafe.config.ConfigFactory;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.journal.store.AtomicEvents;
import dev.keel.journal.store.EmbeddedStorage;
import dev.keel.journal.store.EventRecord;
import dev.keel.journal.store.PreparedEvent;
import dev.keel.journal.store.RunningJournal;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * {@code bin/keel-bench api-replay}: writes N container events into a fresh journal through the journal's writer (not
 * through entities: the bench measures the stream, not the writes), starts bin/keeld on that data root, and streams
 * {@code GET /events?since=0&until=<now>} over the unix socket with a raw HTTP client, counting the lines.
 *
 * <p>Every container lives a create, start, then pause/unpause/stop/start cycles, and ends removed, so keeld has
 * nothing to re-adopt at start. System properties: {@code keel.api.bench.scale} (1 = 1,000,000 events),
 * {@code keel.api.bench.keeld.path}.
 */
public final class EventReplayBench {

    private static final int EVENTS_PER_CONTAINER = 1000;
    private static final int WRITE_BATCH_CONTAINERS = 50;

    private EventReplayBench() {
    }

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("keel.api.bench.scale", "1"));
        Path keeldPath = Path.of(System.getProperty("keel.api.bench.keeld.path", "bin/keeld"));
        long events = Math.max(EVENTS_PER_CONTAINER, Math.round(1_000_000 * scale));
        Path dir = Files.createTempDirectory("keel-api-replay");
        // Short: container sockets under the exec root must fit a unix socket path.
        Path execRoot = Files.createDirectory(Path.of("/tmp", "kr" + ProcessHandle.current().pid()));
        try {
            long written = fill(dir.resolve("data").resolve("journal"), events);
            Process keeld = startKeeld(keeldPath, dir, execRoot);
            try {
                Replay replay = replay(dir.resolve("keel.sock"));
                System.out.printf("replayed %d journal events as %d Docker messages in %.2f s%n", written,
                        replay.lines(), replay.nanos() / 1e9);
                System.out.printf("api-replay: events=%d lines=%d replay_events_per_s=%d%n", written, replay.lines(),
                        Math.round(written / (replay.nanos() / 1e9)));
            } finally {
                keeld.toHandle().destroy();
                if (!keeld.waitFor(60, TimeUnit.SECONDS)) {
                    keeld.destroyForcibly().waitFor();
                }
            }
        } finally {
            deleteTree(dir);
            deleteTree(execRoot);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Writes whole container lives until {@code events} are written; answers how many. */
    private static long fill(Path journalDir, long events) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "api-replay-fill", ConfigFactory
                .parseMap(Map.of("keel.journal.embedded.dir", journalDir.toString()))
                .withFallback(ConfigFactory.load()));
        try {
            RunningJournal journal = EmbeddedStorage.get(Adapter.toClassic(system)).forPlugin("keel.journal.embedded.journal");
            Serialization serialization = SerializationExtension.get(system);
            long containers = events / EVENTS_PER_CONTAINER;
            long start = System.nanoTime();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (long c = 0; c < containers; c++) {
                String id = String.format("%064x", c + 1);
                writes.add(journal.writer().append(List.of(new AtomicEvents("Container|" + id, life(id, serialization)))));
                if (writes.size() == WRITE_BATCH_CONTAINERS) {
                    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
                    writes.clear();
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
            long written = containers * EVENTS_PER_CONTAINER;
            System.out.printf("filled the journal with %d events in %.2f s%n", written, (System.nanoTime() - start) / 1e9);
            return written;
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static List<PreparedEvent> life(String id, Serialization serialization) {
        Instant at = Instant.now();
        List<PreparedEvent> out = new ArrayList<>(EVENTS_PER_CONTAINER);
        List<ContainerEntity.Event> events = new ArrayList<>(EVENTS_PER_CONTAINER);
        events.add(new ContainerEntity.Created(id, "/bench-" + id.substring(56), "sha256:" + "ab".repeat(32), "busybox",
                ContainerConfig.EMPTY, at));
        events.add(new ContainerEntity.Started(id, 100, at));
        while (events.size() < EVENTS_PER_CONTAINER - 1) {
            switch (events.size() % 4) {
                case 2 -> events.add(new ContainerEntity.Paused(id, at));
                case 3 -> events.add(new ContainerEntity.Unpaused(id, at));
                case 0 -> events.add(new ContainerEntity.Stopped(id, 0, at));
                default -> events.add(new ContainerEntity.Started(id, 100, at));
            }
        }
        events.add(new ContainerEntity.Removed(id, true, at));
        for (int i = 0; i < events.size(); i++) {
            ContainerEntity.Event event = events.get(i);
            Serializer serializer = serialization.findSerializerFor(event);
            out.add(PreparedEvent.of(new EventRecord("Container|" + id, i + 1, at.toEpochMilli(), "api-replay-bench", "",
                    serializer.identifier(), Serializers.manifestFor(serializer, event), List.of(),
                    serializer.toBinary(event))));
        }
        return out;
    }

    private static Process startKeeld(Path keeldPath, Path dir, Path execRoot) throws Exception {
        Process process = new ProcessBuilder(keeldPath.toString(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + dir.resolve("keel.sock"))
                .redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.contains("keeld ready: ")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("keeld ended before it was ready:\n"
                    + String.join("\n", output)));
        }, "keeld-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(120, TimeUnit.SECONDS);
        return process;
    }

    private record Replay(long lines, long nanos) {}

    /** One GET over the socket, read to its end; counts the JSON lines of the body. */
    private static Replay replay(Path socket) throws IOException {
        Instant until = Instant.now();
        String request = "GET /v1.41/events?since=0&until=" + until.getEpochSecond() + "." + String.format("%09d",
                until.getNano()) + " HTTP/1.1\r\nHost: keel\r\nConnection: close\r\n\r\n";
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            long start = System.nanoTime();
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long lines = 0;
            byte previous = 0;
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n' && previous == '}') {
                        lines++;
                    }
                    previous = b;
                }
                buffer.clear();
            }
            return new Replay(lines, System.nanoTime() - start);
        }
    }
}
